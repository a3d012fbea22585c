import { Migration } from '@mikro-orm/migrations';

export class Migration20261124224747_indexes_and_avatar_text extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index \`message_events_created_at_id_index\` on \`message_events\` (\`created_at\`, \`id\`);`);
    this.addSql(`create index \`message_events_direction_ingest_mode_created_at_index\` on \`message_events\` (\`direction\`, \`ingest_mode\`, \`created_at\`);`);
  }

}
