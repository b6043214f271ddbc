CREATE TABLE `document_spans` (
	`version` integer NOT NULL,
	`authority_id` text NOT NULL,
	`part` integer NOT NULL,
	`offset` integer NOT NULL,
	`length` integer NOT NULL,
	PRIMARY KEY(`authority_id`, `version`)
);
