import { Migration } from '@mikro-orm/migrations';

export class Migration20261124220451_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "instances" ("id" varchar(36) not null, "name" varchar(255) not null, "channel" varchar(255) not null, "channel_config" jsonb not null, "agent" jsonb null, "messaging" jsonb null, "media" jsonb null, "is_active" boolean not null default true, "desired_state" text check ("desired_state" in ('connected', 'disconnected')) not null default 'connected', "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "instances_pkey" primary key ("id"));`);
    this.addSql(`alter table "instances" add constraint "instances_name_unique" unique ("name");`);
    this.addSql(`create index "instances_channel_index" on "instances" ("channel");`);

    this.addSql(`create table "plugin_kv" ("plugin_id" varchar(255) not null, "key" text not null, "value" jsonb null, "updated_at" timestamptz not null, constraint "plugin_kv_pkey" primary key ("plugin_id", "key"));`);

    this.addSql(`create table "plugin_states" ("id" varchar(255) not null, "enabled" boolean not null, "updated_at" timestamptz not null, constraint "plugin_states_pkey" primary key ("id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "instances" cascade;`);

    this.addSql(`drop table if exists "plugin_kv" cascade;`);

    this.addSql(`drop table if exists "plugin_states" cascade;`);
  }

}
