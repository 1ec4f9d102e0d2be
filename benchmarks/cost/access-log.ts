/**
 * API Gateway access-log lines, computed rather than measured: the local gateway
 * logs its own short line (`POST /dev/track 200 5 ms`), not the stage's format.
 * The line is the template's access-log format (a REST stage's
 * `AccessLogSetting.Format`, `AccessLogFormat.jsonWithStandardFields()` in the
 * construct; an HTTP stage's `AccessLogSettings.Format`) with each `$context`
 * variable replaced by what API Gateway would put there for the request: the
 * real status, method, resource path or route key and response length, and
 * typical values for the caller (a SigV4-signed call from an assumed role).
 */

export interface AccessLogContext {
  readonly requestId: string;
  readonly httpMethod: string;
  readonly resourcePath: string;
  readonly status: number;
  readonly responseLength: number;
  readonly requestTimeEpochMs: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `$context.requestTime`: e.g. `01/Dec/2026:15:26:34 +0000`. */
function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** A caller as IAM authorization reports it: an assumed role's id and session name. */
const CALLER = 'AROA3XFRBF535PLBIFPI4:scanner-fleet-0042';

/** The access-log line for one request in `format`; a variable this module does not know becomes `-`, as API Gateway writes an empty one. */
export function accessLogLine(format: string, context: AccessLogContext): string {
  const values: Record<string, string> = {
    'requestId': context.requestId,
    'extendedRequestId': 'CXSgAFZfIAMEbKw=',
    'identity.sourceIp': '203.0.113.42',
    'identity.user': CALLER,
    'identity.caller': CALLER,
    'identity.userAgent': 'scanner-fleet/2.3 aws-sdk-js/3',
    'requestTime': clfTime(context.requestTimeEpochMs),
    'requestTimeEpoch': String(context.requestTimeEpochMs),
    'httpMethod': context.httpMethod,
    'resourcePath': context.resourcePath,
    'routeKey': `${context.httpMethod} ${context.resourcePath}`,
    'status': String(context.status),
    'protocol': 'HTTP/1.1',
    'responseLength': String(context.responseLength),
  };
  return format.replace(/\$context\.([A-Za-z0-9_.]+[A-Za-z0-9_])/g, (_, name: string) => values[name] ?? '-');
}

/** The stage's access-log format in a synthesized template (the first REST or HTTP stage that has one). */
export function accessLogFormat(template: any): string | undefined {
  for (const resource of Object.values<any>(template.Resources ?? {})) {
    if (resource.Type === 'AWS::ApiGateway::Stage' && resource.Properties?.AccessLogSetting?.Format) return resource.Properties.AccessLogSetting.Format;
    if (resource.Type === 'AWS::ApiGatewayV2::Stage' && resource.Properties?.AccessLogSettings?.Format) return resource.Properties.AccessLogSettings.Format;
  }
  return undefined;
}
