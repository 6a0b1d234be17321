import { answer, defineRoute, ok } from '../../http/route';
import {
  AppendOpenIdsRequest,
  AppendOpenIdsResponse,
  CreateJobRequest,
  JobAcceptedResponse,
  JobCreatedResponse,
  JobQuery,
  JobRef,
  JobStatusResponse,
} from '../job-schemas';
import { appendOpenIds, cancelJobFromApi, createJobFromApi, type JobDeps, jobStatus, startJobFromApi } from '../jobs';
import { IDEMPOTENCY_KEY_HEADER } from './send-common';

const NOT_FOUND = { 404: '`job_not_found`: no job with this jobId.' } as const;

/**
 * The routes of the jobs function: a list too large for one request (SCF takes a 6 MB event)
 * is built in steps: create, append numbered chunks of up to 100,000 OpenIDs, start.
 */
export const jobsRoutes = [
  defineRoute({
    method: 'POST',
    path: '/jobs',
    operationId: 'createJob',
    tag: 'jobs',
    summary: 'Create a job (a send to an OpenID list of any size, now or at sendAt); append OpenIDs, then start it',
    body: CreateJobRequest,
    headers: [IDEMPOTENCY_KEY_HEADER],
    answers: { 200: JobCreatedResponse, 201: JobCreatedResponse },
    responses: {
      200: 'A job with this clientMsgId and the same message and sendAt already exists: it is returned.',
      201: 'Created; append OpenIDs with POST /jobs/openids, then POST /jobs/start.',
      400: 'sendAt in the past or more than 30 days ahead, or not RFC 3339 with an offset.',
      422: '`client_msg_id_reused`: this clientMsgId names a job with another message or sendAt.',
    },
    run: async (deps: JobDeps, { body, request }) => {
      const { created, body: job } = await createJobFromApi(deps, body, request.headers['idempotency-key']);
      return created ? answer(201, job) : answer(200, job);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/jobs/openids',
    operationId: 'appendJobOpenIds',
    tag: 'jobs',
    summary: 'Append a numbered chunk of up to 100,000 OpenIDs to a job being built',
    body: AppendOpenIdsRequest,
    bodyLimit: { bytes: 4 * 1024 * 1024, why: 'a chunk holds at most 100,000 OpenIDs (about 3.1 MB of JSON)' },
    answers: { 200: AppendOpenIdsResponse },
    responses: {
      ...NOT_FOUND,
      409:
        '`chunk_conflict`: this chunk number holds another list;' +
        ' `job_not_building`: the job was started or cancelled; `job_starting`: start was already called.',
      413: '`job_too_large`: a job holds at most 2,000,000 OpenIDs.',
    },
    run: async (deps: JobDeps, { body }) => ok(await appendOpenIds(deps, body)),
  }),
  defineRoute({
    method: 'POST',
    path: '/jobs/start',
    operationId: 'startJob',
    tag: 'jobs',
    summary: 'Deduplicate, split into batches and store the job, then send it (now or at its sendAt)',
    body: JobRef,
    answers: { 202: JobAcceptedResponse },
    responses: {
      ...NOT_FOUND,
      202: 'Stored: the dispatcher sends it within the shared limit; follow it with GET /jobs?jobId=.',
      400: 'Fewer than 2 distinct OpenIDs.',
      409: '`chunks_missing`: chunk numbers must run 0, 1, 2… without a gap.',
    },
    run: async (deps: JobDeps, { body }) => answer(202, await startJobFromApi(deps, body.jobId)),
  }),
  defineRoute({
    method: 'POST',
    path: '/jobs/cancel',
    operationId: 'cancelJob',
    tag: 'jobs',
    summary: 'Cancel a job: one not started sends nothing, a running one stops before its next batch',
    body: JobRef,
    answers: { 200: JobStatusResponse },
    responses: { ...NOT_FOUND, 409: '`job_finished`: the job is done.' },
    run: async (deps: JobDeps, { body }) => ok(await cancelJobFromApi(deps, body.jobId)),
  }),
  defineRoute({
    method: 'GET',
    path: '/jobs',
    operationId: 'getJob',
    tag: 'jobs',
    summary: "A job's state, its batches (msgId, MASSSENDJOBFINISH counts) and the totals over their reports",
    query: JobQuery,
    answers: { 200: JobStatusResponse },
    responses: NOT_FOUND,
    run: async (deps: JobDeps, { query }) => ok(await jobStatus(deps, query.jobId)),
  }),
];
