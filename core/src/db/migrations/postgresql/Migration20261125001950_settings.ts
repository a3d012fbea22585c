import { Migration } from '@mikro-orm/migrations';

export class Migration20261125001950_settings extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "settings" ("key" varchar(255) not null, "value" text not null, "encrypted" boolean not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "settings_pkey" primary key ("key"));`);

    this.addSql(`create table "setting_history" ("id" serial primary key, "key" varchar(255) not null, "old_value" text null, "new_value" text null, "changed_by_id" varchar(64) null, "changed_by_name" varchar(255) null, "reason" varchar(500) null, "ip" varchar(64) null, "changed_at" timestamptz not null);`);
    this.addSql(`create index "setting_history_key_id_index" on "setting_history" ("key", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "settings" cascade;`);

    this.addSql(`drop table if exists "setting_history" cascade;`);
  }

}
