import * as z from 'zod/mini';

/** SCF timer trigger event: `{Type: "Timer", TriggerName, Time, Message}`. */
export const TimerEvent = z.looseObject({
  Type: z.literal('Timer'),
  TriggerName: z.optional(z.string()),
  Time: z.optional(z.string()),
  Message: z.optional(z.string()),
});
export type TimerEvent = z.infer<typeof TimerEvent>;
