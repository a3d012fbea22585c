import { Migration } from '@mikro-orm/migrations';

export class Migration20261125002504_api_keys extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "api_keys" ("id" varchar(36) not null, "name" varchar(255) not null, "key_hash" varchar(64) not null, "prefix" varchar(16) not null, "suffix" varchar(8) not null, "scopes" jsonb not null, "instance_ids" jsonb null, "is_admin" boolean not null default false, "expires_at" timestamptz null, "revoked_at" timestamptz null, "last_used_at" timestamptz null, "last_used_ip" varchar(255) null, "usage_count" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "api_keys_pkey" primary key ("id"));`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_key_hash_unique" unique ("key_hash");`);
    this.addSql(`create index "api_keys_created_at_index" on "api_keys" ("created_at");`);

    this.addSql(`create table "api_key_audit" ("id" varchar(36) not null, "key_id" varchar(36) not null, "action" varchar(16) not null, "ip" varchar(255) null, "user_agent" text null, "endpoint" text null, "status_code" int null, "metadata" jsonb null, "at" timestamptz not null, constraint "api_key_audit_pkey" primary key ("id"));`);
    this.addSql(`create index "api_key_audit_key_id_at_index" on "api_key_audit" ("key_id", "at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "api_keys" cascade;`);

    this.addSql(`drop table if exists "api_key_audit" cascade;`);
  }

}
