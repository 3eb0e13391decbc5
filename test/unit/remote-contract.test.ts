import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PHASE_OF_STATE, STATES } from '../../lib/remote/follow.js';
import { EXPLORER_URL_OUTPUT_PREFIX, STACK_OUTPUTS } from '../../lib/remote/stack.js';
import { definitionOf, synthApp } from '../infra/synth.js';

/**
 * What the remote commands read from a deployed stack, checked against the synthesized one: the
 * output names, the state names progress is read from, Prepare's result, and the trigger's input.
 */

let main: Template;

beforeAll(() => {
  ({ main } = synthApp({ explorer: { public: true } }));
});

describe('the stack as the remote commands read it', () => {
  it('declares the outputs stack discovery looks for', () => {
    const outputs = Object.keys(main.toJSON().Outputs as Record<string, unknown>);
    expect(outputs).toEqual(expect.arrayContaining(Object.values(STACK_OUTPUTS)));
    expect(outputs.filter((key) => key.startsWith(EXPLORER_URL_OUTPUT_PREFIX))).toHaveLength(1);
  });

  it('has every state progress is read from, and keeps Prepare’s result at $.prepare', () => {
    const { States } = definitionOf(main);
    for (const name of [...Object.values(STATES), ...Object.keys(PHASE_OF_STATE)])
      expect(Object.keys(States)).toContain(name);
    expect(States[STATES.prepare]).toMatchObject({
      ResultPath: '$.prepare',
      ResultSelector: {
        'runId.$': '$.Payload.runId',
        'itemCount.$': '$.Payload.itemCount',
        'batchCount.$': '$.Payload.batchCount',
        'levelCount.$': '$.Payload.levelCount',
      },
    });
    expect(States[STATES.summarize]).toMatchObject({
      Type: 'Map',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } },
    });
    expect(States[STATES.alreadyStarted]).toMatchObject({ Type: 'Succeed' });
  });

  it('starts a run on upload with the config key and upload#<etag>, as the CLI looks for it', () => {
    const rules = Object.values(
      main.findResources('AWS::Events::Rule', {
        Properties: { EventPattern: { 'detail-type': ['Object Created'] } },
      }),
    ) as { Properties: { Targets: { InputTransformer: Record<string, unknown> }[] } }[];
    expect(rules).toHaveLength(1);
    const transformer = rules[0]?.Properties.Targets[0]?.InputTransformer;
    expect(transformer?.InputPathsMap).toEqual({
      'detail-object-key': '$.detail.object.key',
      'detail-object-version-id': '$.detail.object.version-id',
      'detail-object-etag': '$.detail.object.etag',
    });
    expect(transformer?.InputTemplate).toBe(
      '{"configKey":<detail-object-key>,"configVersion":<detail-object-version-id>,"trigger":"upload#<detail-object-etag>"}',
    );
  });
});
