CREATE TABLE `auth_states` (
	`state` text PRIMARY KEY NOT NULL,
	`cookie_hash` text NOT NULL,
	`params` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `authorities` (
	`id` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer,
	`position` integer NOT NULL,
	`json` text NOT NULL,
	`hash` text NOT NULL,
	PRIMARY KEY(`id`, `valid_from`)
);
--> statement-breakpoint
CREATE INDEX `authorities_by_position` ON `authorities` (`position`);--> statement-breakpoint
CREATE INDEX `authorities_current` ON `authorities` (`valid_to`);--> statement-breakpoint
CREATE TABLE `bags` (
	`uuid` text NOT NULL,
	`version` integer NOT NULL,
	`owners` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`blob` text NOT NULL,
	PRIMARY KEY(`uuid`, `version`)
);
--> statement-breakpoint
CREATE TABLE `blob_chunks` (
	`blob_id` text NOT NULL,
	`seq` integer NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`blob_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `dataset_meta` (
	`valid_from` integer PRIMARY KEY NOT NULL,
	`valid_to` integer,
	`json` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `graphs` (
	`id` text NOT NULL,
	`version` integer NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`blob` text,
	PRIMARY KEY(`id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `identifier_map` (
	`skolem_id` text NOT NULL,
	`permanent_id` text NOT NULL,
	`version` integer NOT NULL,
	`patch_request_id` integer,
	PRIMARY KEY(`skolem_id`, `version`)
);
--> statement-breakpoint
CREATE INDEX `identifier_map_permanent` ON `identifier_map` (`permanent_id`);--> statement-breakpoint
CREATE TABLE `identifiers` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`first_version` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `patch_request_comments` (
	`id` integer PRIMARY KEY NOT NULL,
	`patch_request_id` integer NOT NULL,
	`author` text NOT NULL,
	`message` text NOT NULL,
	`posted_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `comments_by_patch` ON `patch_request_comments` (`patch_request_id`,`id`);--> statement-breakpoint
CREATE TABLE `patch_requests` (
	`id` integer PRIMARY KEY NOT NULL,
	`created_by` text NOT NULL,
	`updated_by` text NOT NULL,
	`merged_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`merged_at` text,
	`open` integer NOT NULL,
	`merged` integer NOT NULL,
	`applied_to_version` integer,
	`resulted_in_version` integer,
	`original_patch_blob` text NOT NULL,
	`applied_patch_blob` text,
	`created_entities` text DEFAULT '[]' NOT NULL,
	`updated_entities` text DEFAULT '[]' NOT NULL,
	`removed_entities` text DEFAULT '[]' NOT NULL,
	`identifier_map` text
);
--> statement-breakpoint
CREATE INDEX `patch_requests_open` ON `patch_requests` (`open`,`id`);--> statement-breakpoint
CREATE TABLE `periods` (
	`id` text NOT NULL,
	`authority_id` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer,
	`authority_position` integer NOT NULL,
	`position` integer NOT NULL,
	`json` text NOT NULL,
	`hash` text NOT NULL,
	PRIMARY KEY(`id`, `valid_from`)
);
--> statement-breakpoint
CREATE INDEX `periods_by_authority` ON `periods` (`authority_id`,`position`);--> statement-breakpoint
CREATE INDEX `periods_in_order` ON `periods` (`authority_position`,`position`);--> statement-breakpoint
CREATE INDEX `periods_current` ON `periods` (`valid_to`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`permissions` text NOT NULL,
	`token_hash` text,
	`token_expires_at` integer,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_token_hash` ON `users` (`token_hash`);--> statement-breakpoint
CREATE TABLE `versions` (
	`id` integer PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`patch_request_id` integer,
	`meta_version` integer,
	`next_position` integer NOT NULL,
	`authority_count` integer NOT NULL,
	`period_count` integer NOT NULL,
	`stats` text NOT NULL,
	`content_hash` text NOT NULL,
	`void_turtle` text NOT NULL
);
