import type {
  CallConnected,
  CallEnded,
  CallFailed,
  CallRejected,
  CallRequested,
  CallRinging,
  CallRouted,
  CallRouting,
  EmergencyRedialRequested,
} from '@homeline/contracts';

/** What has happened to a call. The data shapes are the published contracts (libs/contracts). */
export type CallEvent =
  | { readonly type: 'CallRequested'; readonly data: CallRequested }
  | { readonly type: 'CallRouting'; readonly data: CallRouting }
  | { readonly type: 'CallRouted'; readonly data: CallRouted }
  | { readonly type: 'CallRinging'; readonly data: CallRinging }
  | { readonly type: 'CallConnected'; readonly data: CallConnected }
  | { readonly type: 'CallEnded'; readonly data: CallEnded }
  | { readonly type: 'CallRejected'; readonly data: CallRejected }
  | { readonly type: 'CallFailed'; readonly data: CallFailed }
  | { readonly type: 'EmergencyRedialRequested'; readonly data: EmergencyRedialRequested };

export type CallEventType = CallEvent['type'];
