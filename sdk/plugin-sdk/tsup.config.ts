import { packageBuild } from '../../tsup.base.js';

const fakes = ['telegram', 'discord', 'slack', 'whatsapp-cloud', 'whatsapp-web'];

export default packageBuild({
  index: 'src/index.ts',
  'testing/index': 'src/testing/index.ts',
  ...Object.fromEntries(fakes.map((f) => [`testing/fakes/${f}/index`, `src/testing/fakes/${f}/index.ts`])),
});
