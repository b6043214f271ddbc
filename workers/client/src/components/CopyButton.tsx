import { useState } from 'preact/hooks';

/** Copies `text`; says so in a live region (and selects the text where the clipboard is refused). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [said, setSaid] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied.');
    } catch {
      setSaid('Copying was refused by the browser: select the text and copy it.');
    }
  };
  return (
    <>
      <button type="button" class="copy" onClick={copy}>
        {label}
      </button>
      <span class="copied" role="status">
        {said}
      </span>
    </>
  );
}
