CREATE TABLE "webhook_dead_letters" (
	"id" text PRIMARY KEY NOT NULL,
	"webhook_id" text NOT NULL,
	"session_id" text,
	"event_id" text NOT NULL,
	"event" text NOT NULL,
	"payload" jsonb NOT NULL,
	"attempts" integer NOT NULL,
	"last_status" integer,
	"last_response" text,
	"last_error" text,
	"status" text DEFAULT 'dead' NOT NULL,
	"replay_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "messages_batch_idx";--> statement-breakpoint
ALTER TABLE "webhook_dead_letters" ADD CONSTRAINT "webhook_dead_letters_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_dead_letters_event_webhook_uq" ON "webhook_dead_letters" USING btree ("event_id","webhook_id");--> statement-breakpoint
CREATE INDEX "webhook_dead_letters_webhook_status_idx" ON "webhook_dead_letters" USING btree ("webhook_id","status");--> statement-breakpoint
CREATE INDEX "messages_batch_status_idx" ON "messages" USING btree ("batch_id","status");