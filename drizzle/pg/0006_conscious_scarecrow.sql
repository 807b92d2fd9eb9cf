DROP INDEX "messages_session_status_idx";--> statement-breakpoint
CREATE INDEX "messages_session_status_created_idx" ON "messages" USING btree ("session_id","status","created_at");--> statement-breakpoint
CREATE INDEX "messages_session_sent_idx" ON "messages" USING btree ("session_id","sent_at");