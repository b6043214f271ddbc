/**
 * The weekly integrity audit (cron `AUDIT_CRON`): every stored version checked against its
 * recorded content hash. Drift is logged as an error event naming the versions and
 * entities, and POSTed to the alert webhook (the ALERT_WEBHOOK secret) when one is set.
 */
import type { Env } from '../env';
import { sendAlert } from '../monitor/probes';
import { logEvent } from '../shared/request-log';
import { auditHistory, type HistoryAuditReport } from '../storage/audit';

export const AUDIT_CRON = '0 4 * * 1';

export async function runWeeklyAudit(env: Env, fetcher: (request: Request) => Promise<Response> = (r) => fetch(r)): Promise<HistoryAuditReport> {
  const report = await auditHistory(env.DB);
  const fields = { head: report.head, versionsChecked: report.versionsChecked, rowsChecked: report.rowsChecked, problems: report.problems.slice(0, 20) };
  if (report.ok) {
    logEvent('audit', { ok: true, ...fields });
    return report;
  }
  logEvent('audit', { ok: false, ...fields }, 'error');
  if (env.ALERT_WEBHOOK) {
    const lines = report.problems.slice(0, 10).map((p) => `- version ${p.version ?? '?'}${p.entity ? `, ${p.entity}` : ''}: ${p.problem}`);
    const text = `PeriodO ${env.ENVIRONMENT}: the weekly audit found ${report.problems.length} problem(s) in ${report.versionsChecked} versions\n${lines.join('\n')}`;
    try {
      await sendAlert(env.ALERT_WEBHOOK, { kind: 'incident', environment: env.ENVIRONMENT, text }, fetcher);
      logEvent('alert', { kind: 'audit', environment: env.ENVIRONMENT, delivered: true });
    } catch (error) {
      logEvent('alert', { kind: 'audit', environment: env.ENVIRONMENT, delivered: false, error: String(error) }, 'error');
    }
  }
  return report;
}
