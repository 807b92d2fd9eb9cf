CREATE TABLE `chats` (
	`session_id` text NOT NULL,
	`jid` text NOT NULL,
	`lid` text,
	`name` text,
	`last_message_wa_id` text,
	`last_message_preview` text,
	`last_message_at` integer,
	`last_message_direction` text,
	`unread_count` integer NOT NULL,
	`archived` integer NOT NULL,
	`muted_until` integer,
	`activity_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`session_id`, `jid`),
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `chats_session_activity_idx` ON `chats` (`session_id`,`activity_at`,`jid`);--> statement-breakpoint
CREATE INDEX `messages_session_remote_idx` ON `messages` (`session_id`,`remote_jid`,`id`);