CREATE TABLE "event_outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"session_id" text,
	"envelope" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"claimed_until" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "event_outbox_created_idx" ON "event_outbox" USING btree ("created_at");