-- Dataset history is a line: version N can only be written when N - 1 is the head.
-- A merge inserts its version row first in its batch, so a stale writer's whole batch
-- (entities, patch request, identifier map) rolls back instead of forking history.
CREATE TRIGGER `versions_linear` BEFORE INSERT ON `versions`
WHEN NEW.`id` != (SELECT COALESCE(MAX(`id`), -1) FROM `versions`) + 1
BEGIN
  SELECT RAISE(ABORT, 'version conflict: a version may only follow the head');
END;
--> statement-breakpoint
-- Version 0 is the empty dataset every history starts from (the reference does the same):
-- the initial data load is applied to it and yields version 1.
INSERT INTO `versions` (`id`, `created_at`, `patch_request_id`, `meta_version`, `next_position`, `authority_count`, `period_count`, `stats`, `content_hash`, `void_turtle`)
VALUES (0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL, NULL, 0, 0, 0, '{"linkCounts":{}}', '0000000000000000000000000000000000000000000000000000000000000000', 'Initial empty dataset.');
