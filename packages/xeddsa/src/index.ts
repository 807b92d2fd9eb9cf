export { installFastXeddsaSign, rememberSigner } from './fast-sign.js';
export { generateXeddsaSigner, type XeddsaSigner } from './xeddsa-signer.js';
export { installFastXeddsaVerify } from './xeddsa-verify.js';
