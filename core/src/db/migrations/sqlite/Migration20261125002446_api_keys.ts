import { Migration } from '@mikro-orm/migrations';

export class Migration20261125002446_api_keys extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`api_keys\` (\`id\` text not null, \`name\` text not null, \`key_hash\` text not null, \`prefix\` text not null, \`suffix\` text not null, \`scopes\` json not null, \`instance_ids\` json null, \`is_admin\` integer not null default false, \`expires_at\` datetime null, \`revoked_at\` datetime null, \`last_used_at\` datetime null, \`last_used_ip\` text null, \`usage_count\` integer not null default 0, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`api_keys_key_hash_unique\` on \`api_keys\` (\`key_hash\`);`);
    this.addSql(`create index \`api_keys_created_at_index\` on \`api_keys\` (\`created_at\`);`);

    this.addSql(`create table \`api_key_audit\` (\`id\` text not null, \`key_id\` text not null, \`action\` text not null, \`ip\` text null, \`user_agent\` text null, \`endpoint\` text null, \`status_code\` integer null, \`metadata\` json null, \`at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`api_key_audit_key_id_at_index\` on \`api_key_audit\` (\`key_id\`, \`at\`);`);
  }

}
