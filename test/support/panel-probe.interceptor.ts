/**
 * A workflow interceptor for the tests only: it reports every panel the nomination records (an event whose payload
 * names `assessors`) to the `panelProbe` sink, also during replay, so a test can see what a replay of a history under
 * another workflow id would draw (integrity.test.ts).
 */
import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export interface PanelProbeSinks extends Sinks {
  panelProbe: { drawn(type: string, assessors: string[]): void };
}

const { panelProbe } = proxySinks<PanelProbeSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      async scheduleActivity(input, next) {
        const event = input.args[0] as { type?: string; payload?: { assessors?: string[] } } | undefined;
        if (input.activityType === 'recordNominationEvent' && Array.isArray(event?.payload?.assessors))
          panelProbe.drawn(event.type ?? '', [...event.payload.assessors]);
        return next(input);
      },
    },
  ],
});
