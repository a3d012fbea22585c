import pkg from '../package.json' with { type: 'json' };

export const OMNI_VERSION: string = pkg.version;
