CREATE TABLE `media_downloads` (
	`message_id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`descriptor` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `media_downloads_session_idx` ON `media_downloads` (`session_id`,`message_id`);