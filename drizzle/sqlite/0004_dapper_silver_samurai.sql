ALTER TABLE `messages` ADD `media_id` text;--> statement-breakpoint
CREATE INDEX `messages_media_status_idx` ON `messages` (`media_id`,`status`);