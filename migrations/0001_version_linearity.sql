-- Dataset history is a line: version N can only be written when N - 1 is the head.
-- A merge inserts its version row first in its batch, so a stale writer's whole batch
-- (entities, patch request, identifier map) rolls back instead of forking history.
CREATE TRIGGER `versions_linear` BEFORE INSERT ON `versions`
WHEN NEW.`id` != (SELECT COALESCE(MAX(`id`), 0) FROM `versions`) + 1
BEGIN
  SELECT RAISE(ABORT, 'version conflict: a version may only follow the head');
END;
