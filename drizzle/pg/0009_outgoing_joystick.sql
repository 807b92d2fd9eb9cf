CREATE TABLE "chats" (
	"session_id" text NOT NULL,
	"jid" text NOT NULL,
	"lid" text,
	"name" text,
	"last_message_wa_id" text,
	"last_message_preview" text,
	"last_message_at" timestamp with time zone,
	"last_message_direction" text,
	"unread_count" integer NOT NULL,
	"archived" boolean NOT NULL,
	"muted_until" timestamp with time zone,
	"activity_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "chats_session_id_jid_pk" PRIMARY KEY("session_id","jid")
);
--> statement-breakpoint
ALTER TABLE "chats" ADD CONSTRAINT "chats_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chats_session_activity_idx" ON "chats" USING btree ("session_id","activity_at","jid");--> statement-breakpoint
CREATE INDEX "messages_session_remote_idx" ON "messages" USING btree ("session_id","remote_jid","id");