CREATE TABLE `event_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text,
	`envelope` text NOT NULL,
	`created_at` integer NOT NULL,
	`claimed_until` integer
);
--> statement-breakpoint
CREATE INDEX `event_outbox_created_idx` ON `event_outbox` (`created_at`);