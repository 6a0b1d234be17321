/** The API's answers as the e2e tests read them (the schemas live in shared/api/schemas.ts). */
export interface SendAnswer {
  msgId: string;
  msgDataId?: string;
  clientMsgId: string;
  duplicate?: true;
}

export interface MassReport {
  msgId: string;
  status: { kind: string };
  counts: { total: number; filter: number; sent: number; error: number };
}

export interface StatusAnswer {
  msgId: string;
  status: 'SENDING' | 'SEND_SUCCESS' | 'SEND_FAIL' | 'DELETE';
  report: MassReport | null;
}

export interface ErrorAnswer {
  error: {
    code: string;
    message: string;
    requestId: string;
    errcode?: number;
    fields?: Array<{ path: string; reason: string }>;
  };
}
