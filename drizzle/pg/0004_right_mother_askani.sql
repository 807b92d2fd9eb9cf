ALTER TABLE "messages" ADD COLUMN "media_id" text;--> statement-breakpoint
CREATE INDEX "messages_media_status_idx" ON "messages" USING btree ("media_id","status");