export { installFastXeddsaVerify } from './xeddsa-verify.js';
