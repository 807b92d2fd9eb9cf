ALTER TABLE "sessions" ADD COLUMN "pending_command" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "pending_command_at" timestamp with time zone;