import { Migration } from '@mikro-orm/migrations';

export class Migration20261124220450_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`instances\` (\`id\` text not null, \`name\` text not null, \`channel\` text not null, \`channel_config\` json not null, \`agent\` json null, \`messaging\` json null, \`media\` json null, \`is_active\` integer not null default true, \`desired_state\` text check (\`desired_state\` in ('connected', 'disconnected')) not null default 'connected', \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`instances_name_unique\` on \`instances\` (\`name\`);`);
    this.addSql(`create index \`instances_channel_index\` on \`instances\` (\`channel\`);`);

    this.addSql(`create table \`plugin_kv\` (\`plugin_id\` text not null, \`key\` text not null, \`value\` json null, \`updated_at\` datetime not null, primary key (\`plugin_id\`, \`key\`));`);

    this.addSql(`create table \`plugin_states\` (\`id\` text not null, \`enabled\` integer not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
  }

}
