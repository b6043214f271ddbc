CREATE TABLE `export_jobs` (
	`version` integer NOT NULL,
	`format` text NOT NULL,
	`state` text NOT NULL,
	`enqueued` integer NOT NULL,
	`attempts` integer NOT NULL,
	`updated_at` text NOT NULL,
	`error` text,
	`bytes` integer,
	`duration_ms` integer,
	PRIMARY KEY(`version`, `format`)
);
