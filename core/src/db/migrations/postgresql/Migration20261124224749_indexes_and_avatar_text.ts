import { Migration } from '@mikro-orm/migrations';

export class Migration20261124224749_indexes_and_avatar_text extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "message_events_created_at_id_index" on "message_events" ("created_at", "id");`);
    this.addSql(`create index "message_events_direction_ingest_mode_created_at_index" on "message_events" ("direction", "ingest_mode", "created_at");`);

    this.addSql(`alter table "platform_identities" alter column "avatar_url" type text using ("avatar_url"::text);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "message_events_created_at_id_index";`);
    this.addSql(`drop index "message_events_direction_ingest_mode_created_at_index";`);

    this.addSql(`alter table "platform_identities" alter column "avatar_url" type varchar(255) using ("avatar_url"::varchar(255));`);
  }

}
