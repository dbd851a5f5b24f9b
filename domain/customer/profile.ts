/** The industry or region of a customer registered before anyone said it (a converted lead): it stays so until the profile gives it. */
export const UNKNOWN_PROFILE_FIELD = 'unknown';
