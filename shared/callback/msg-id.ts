/**
 * A MsgID as the callback accepts and looks it up: WeChat's mass-send ids are 64-bit integers
 * (at most 20 decimal digits), already past 2^31, so they stay exact decimal strings. Its own
 * module so the `status` bundle can check an id without pulling in the callback's parser.
 */
export const MSG_ID_PATTERN = /^\d{1,20}$/;
