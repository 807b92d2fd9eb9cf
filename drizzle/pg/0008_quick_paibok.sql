CREATE TABLE "groups" (
	"session_id" text NOT NULL,
	"jid" text NOT NULL,
	"subject" text NOT NULL,
	"metadata" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "groups_session_id_jid_pk" PRIMARY KEY("session_id","jid")
);
--> statement-breakpoint
ALTER TABLE "groups" ADD CONSTRAINT "groups_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE cascade ON UPDATE no action;