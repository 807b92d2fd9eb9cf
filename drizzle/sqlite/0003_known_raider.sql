CREATE TABLE `webhook_dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`webhook_id` text NOT NULL,
	`session_id` text,
	`event_id` text NOT NULL,
	`event` text NOT NULL,
	`payload` text NOT NULL,
	`attempts` integer NOT NULL,
	`last_status` integer,
	`last_response` text,
	`last_error` text,
	`status` text DEFAULT 'dead' NOT NULL,
	`replay_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_dead_letters_event_webhook_uq` ON `webhook_dead_letters` (`event_id`,`webhook_id`);--> statement-breakpoint
CREATE INDEX `webhook_dead_letters_webhook_status_idx` ON `webhook_dead_letters` (`webhook_id`,`status`);--> statement-breakpoint
DROP INDEX `messages_batch_idx`;--> statement-breakpoint
CREATE INDEX `messages_batch_status_idx` ON `messages` (`batch_id`,`status`);