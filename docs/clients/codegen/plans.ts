// Using the generated types: a plan's `issuedOn` is a Date (a string) that may be null,
// `status` a union of the PlanStatus values, a change's `after` JSON of unknown shape.
import type { ChangedSubscription, PlansByIssueDateQuery, RecordActualMutationVariables } from './generated/operations';

type Plan = PlansByIssueDateQuery['plans']['edges'][number]['node'];

export function describe(plan: Plan): string {
  const issued = plan.issuedOn ?? 'no issue date';
  const number = plan.documentNumber ? ` ${plan.documentNumber}` : '';
  return `${plan.title}${number} (${plan.region?.name ?? '—'}, ${issued})${plan.status === 'IN_FORCE' ? '' : ` [${plan.status}]`}`;
}

export function changedTitle(event: ChangedSubscription['changed']): string | undefined {
  const after = event.change.after;
  return typeof after === 'object' && after !== null && 'title' in after ? String(after.title) : undefined;
}

export const quarterlyActual = (indicatorId: string, value: number): RecordActualMutationVariables => ({
  input: { indicatorId, period: '2024-Q3', value, status: 'PROVISIONAL', idempotencyKey: `q3-${indicatorId}` },
});
