ALTER TABLE `sessions` ADD `pending_command` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `pending_command_at` integer;