import { Migration } from '@mikro-orm/migrations';

export class Migration20261124223410_pipeline extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "access_rules" ("id" varchar(36) not null, "instance_id" varchar(36) null, "channel" varchar(255) null, "type" text check ("type" in ('allow', 'deny')) not null, "pattern" varchar(255) not null, "priority" int not null default 0, "enabled" boolean not null default true, "reason" varchar(255) null, "deny_message" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "access_rules_pkey" primary key ("id"));`);
    this.addSql(`create index "access_rules_instance_id_index" on "access_rules" ("instance_id");`);

    this.addSql(`create table "agent_providers" ("id" varchar(36) not null, "name" varchar(255) not null, "type" varchar(255) not null, "api_url" varchar(2048) not null, "api_key" text null, "default_agent_id" varchar(255) null, "default_timeout" int not null default 60000, "default_streaming" boolean not null default false, "metadata" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "agent_providers_pkey" primary key ("id"));`);
    this.addSql(`alter table "agent_providers" add constraint "agent_providers_name_unique" unique ("name");`);

    this.addSql(`create table "idempotency_keys" ("scope" varchar(255) not null, "key" varchar(255) not null, "request_hash" varchar(64) not null, "status_code" int not null, "response" jsonb not null, "created_at" timestamptz not null, constraint "idempotency_keys_pkey" primary key ("scope", "key"));`);
    this.addSql(`create index "idempotency_keys_created_at_index" on "idempotency_keys" ("created_at");`);

    this.addSql(`create table "message_events" ("id" varchar(36) not null, "trace_id" varchar(36) not null, "direction" varchar(16) not null, "instance_id" varchar(36) not null, "channel" varchar(255) not null, "external_id" varchar(255) null, "chat_id" varchar(255) not null, "sender_id" varchar(255) null, "sender_name" varchar(255) null, "recipient_id" varchar(255) null, "person_id" varchar(36) null, "content_type" varchar(255) not null, "text_content" text null, "payload" jsonb null, "status" varchar(16) not null default 'received', "error_stage" varchar(255) null, "error_message" text null, "stages" jsonb not null, "ingest_mode" varchar(16) not null default 'realtime', "reply_to_event_id" varchar(36) null, "agent_ms" int null, "total_ms" int null, "lease_until" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "message_events_pkey" primary key ("id"));`);
    this.addSql(`create index "message_events_trace_id_index" on "message_events" ("trace_id");`);
    this.addSql(`create index "message_events_person_id_index" on "message_events" ("person_id");`);
    this.addSql(`create index "message_events_reply_to_event_id_index" on "message_events" ("reply_to_event_id");`);
    this.addSql(`create index "message_events_instance_id_created_at_index" on "message_events" ("instance_id", "created_at");`);
    this.addSql(`create index "message_events_status_created_at_index" on "message_events" ("status", "created_at");`);
    this.addSql(`create index "message_events_sender_id_index" on "message_events" ("sender_id");`);
    this.addSql(`alter table "message_events" add constraint "message_events_instance_id_direction_external_id_unique" unique ("instance_id", "direction", "external_id");`);

    this.addSql(`create table "persons" ("id" varchar(36) not null, "display_name" varchar(255) null, "primary_phone" varchar(255) null, "primary_email" varchar(255) null, "metadata" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "persons_pkey" primary key ("id"));`);
    this.addSql(`create index "persons_primary_phone_index" on "persons" ("primary_phone");`);

    this.addSql(`create table "platform_identities" ("id" varchar(36) not null, "person_id" varchar(36) not null, "channel" varchar(255) not null, "platform_user_id" varchar(255) not null, "phone" varchar(255) null, "display_name" varchar(255) null, "avatar_url" varchar(255) null, "instance_id" varchar(36) null, "first_seen_at" timestamptz not null, "last_seen_at" timestamptz not null, "message_count" int not null default 0, constraint "platform_identities_pkey" primary key ("id"));`);
    this.addSql(`create index "platform_identities_person_id_index" on "platform_identities" ("person_id");`);
    this.addSql(`create index "platform_identities_phone_index" on "platform_identities" ("phone");`);
    this.addSql(`alter table "platform_identities" add constraint "platform_identities_channel_platform_user_id_unique" unique ("channel", "platform_user_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "access_rules" cascade;`);

    this.addSql(`drop table if exists "agent_providers" cascade;`);

    this.addSql(`drop table if exists "idempotency_keys" cascade;`);

    this.addSql(`drop table if exists "message_events" cascade;`);

    this.addSql(`drop table if exists "persons" cascade;`);

    this.addSql(`drop table if exists "platform_identities" cascade;`);
  }

}
