import { Migration } from '@mikro-orm/migrations';

export class Migration20261124223409_pipeline extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`access_rules\` (\`id\` text not null, \`instance_id\` text null, \`channel\` text null, \`type\` text check (\`type\` in ('allow', 'deny')) not null, \`pattern\` text not null, \`priority\` integer not null default 0, \`enabled\` integer not null default true, \`reason\` text null, \`deny_message\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`access_rules_instance_id_index\` on \`access_rules\` (\`instance_id\`);`);

    this.addSql(`create table \`agent_providers\` (\`id\` text not null, \`name\` text not null, \`type\` text not null, \`api_url\` text not null, \`api_key\` text null, \`default_agent_id\` text null, \`default_timeout\` integer not null default 60000, \`default_streaming\` integer not null default false, \`metadata\` json null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`agent_providers_name_unique\` on \`agent_providers\` (\`name\`);`);

    this.addSql(`create table \`idempotency_keys\` (\`scope\` text not null, \`key\` text not null, \`request_hash\` text not null, \`status_code\` integer not null, \`response\` json not null, \`created_at\` datetime not null, primary key (\`scope\`, \`key\`));`);
    this.addSql(`create index \`idempotency_keys_created_at_index\` on \`idempotency_keys\` (\`created_at\`);`);

    this.addSql(`create table \`message_events\` (\`id\` text not null, \`trace_id\` text not null, \`direction\` text not null, \`instance_id\` text not null, \`channel\` text not null, \`external_id\` text null, \`chat_id\` text not null, \`sender_id\` text null, \`sender_name\` text null, \`recipient_id\` text null, \`person_id\` text null, \`content_type\` text not null, \`text_content\` text null, \`payload\` json null, \`status\` text not null default 'received', \`error_stage\` text null, \`error_message\` text null, \`stages\` json not null, \`ingest_mode\` text not null default 'realtime', \`reply_to_event_id\` text null, \`agent_ms\` integer null, \`total_ms\` integer null, \`lease_until\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`message_events_trace_id_index\` on \`message_events\` (\`trace_id\`);`);
    this.addSql(`create index \`message_events_person_id_index\` on \`message_events\` (\`person_id\`);`);
    this.addSql(`create index \`message_events_reply_to_event_id_index\` on \`message_events\` (\`reply_to_event_id\`);`);
    this.addSql(`create index \`message_events_instance_id_created_at_index\` on \`message_events\` (\`instance_id\`, \`created_at\`);`);
    this.addSql(`create index \`message_events_status_created_at_index\` on \`message_events\` (\`status\`, \`created_at\`);`);
    this.addSql(`create index \`message_events_sender_id_index\` on \`message_events\` (\`sender_id\`);`);
    this.addSql(`create unique index \`message_events_instance_id_direction_external_id_unique\` on \`message_events\` (\`instance_id\`, \`direction\`, \`external_id\`);`);

    this.addSql(`create table \`persons\` (\`id\` text not null, \`display_name\` text null, \`primary_phone\` text null, \`primary_email\` text null, \`metadata\` json null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`persons_primary_phone_index\` on \`persons\` (\`primary_phone\`);`);

    this.addSql(`create table \`platform_identities\` (\`id\` text not null, \`person_id\` text not null, \`channel\` text not null, \`platform_user_id\` text not null, \`phone\` text null, \`display_name\` text null, \`avatar_url\` text null, \`instance_id\` text null, \`first_seen_at\` datetime not null, \`last_seen_at\` datetime not null, \`message_count\` integer not null default 0, primary key (\`id\`));`);
    this.addSql(`create index \`platform_identities_person_id_index\` on \`platform_identities\` (\`person_id\`);`);
    this.addSql(`create index \`platform_identities_phone_index\` on \`platform_identities\` (\`phone\`);`);
    this.addSql(`create unique index \`platform_identities_channel_platform_user_id_unique\` on \`platform_identities\` (\`channel\`, \`platform_user_id\`);`);
  }

}
