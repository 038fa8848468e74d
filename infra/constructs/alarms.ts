import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * Every alarm of the platform has one shape: fire on the first period at or over the
 * threshold, stay quiet without data, tell the stage's alarm topic.
 */
export const alarmsTo = (scope: Construct, topic: ITopic) => {
  const action = new SnsAction(topic);
  return (id: string, metric: IMetric, threshold: number, description: string): Alarm => {
    const alarm = new Alarm(scope, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(action);
    return alarm;
  };
};
