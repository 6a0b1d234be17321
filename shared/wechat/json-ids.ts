/**
 * WeChat's msg_id and msg_data_id are 64-bit integers already past 2^31 (e.g. 3147494552) and
 * not promised to stay below 2^53, where JSON.parse silently rounds. They travel as digit
 * strings inside the product and as bare JSON numbers on the wire, as WeChat expects.
 */
const ID_FIELDS = 'msg_id|msg_data_id';
const NUMBER_ID = new RegExp(`(?<!\\\\)"(${ID_FIELDS})"(\\s*:\\s*)(-?\\d+)`, 'g');
const STRING_ID = new RegExp(`(?<!\\\\)"(${ID_FIELDS})"(\\s*:\\s*)"(\\d+)"`, 'g');

export function parseWeChatJson(text: string): unknown {
  return JSON.parse(text.replace(NUMBER_ID, '"$1"$2"$3"'));
}

export function stringifyWeChatJson(body: unknown): string {
  return JSON.stringify(body).replace(STRING_ID, '"$1"$2$3');
}
