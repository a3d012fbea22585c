import { Migration } from '@mikro-orm/migrations';

export class Migration20261125001945_settings extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`settings\` (\`key\` text not null, \`value\` text not null, \`encrypted\` integer not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`key\`));`);

    this.addSql(`create table \`setting_history\` (\`id\` integer not null primary key autoincrement, \`key\` text not null, \`old_value\` text null, \`new_value\` text null, \`changed_by_id\` text null, \`changed_by_name\` text null, \`reason\` text null, \`ip\` text null, \`changed_at\` datetime not null);`);
    this.addSql(`create index \`setting_history_key_id_index\` on \`setting_history\` (\`key\`, \`id\`);`);
  }

}
