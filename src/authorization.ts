import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as httpAuthorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** The kinds of authorization the API supports. */
export enum ApiAuthorizationType {
  /** AWS IAM: callers sign requests with SigV4 and need `execute-api:Invoke`. */
  IAM = 'IAM',
  /** An Amazon Cognito user pool: callers send the pool's token. */
  COGNITO = 'COGNITO',
  /** No authorization: anyone who can reach the endpoint may call it. */
  NONE = 'NONE',
}

/**
 * Who may call the tracking API: one of IAM (the default), a Cognito user
 * pool, or nobody checked at all. Get one from a static factory; the class
 * cannot be instantiated or subclassed, in TypeScript or in any jsii language
 * (applying it to the API's methods is internal to this library).
 */
export class ApiAuthorization {
  /** SigV4-signed requests, authorized by IAM policies (see `grantIngest` / `grantRead`). */
  public static iam(): ApiAuthorization {
    return new ApiAuthorization(ApiAuthorizationType.IAM, () => ({
      authorizationType: apigateway.AuthorizationType.IAM,
    }), () => ({ authorizer: new httpAuthorizers.HttpIamAuthorizer() }));
  }

  /**
   * Tokens issued by a Cognito user pool.
   * @param userPool the pool whose tokens are accepted
   * @param scopes OAuth scopes a token must carry (any one of them); empty
   *   accepts ID tokens of the pool
   * @param userPoolClients with `ApiType.HTTP` only: the app clients whose tokens
   *   are accepted (an HTTP API checks a token's audience against them). Without
   *   them a new app client of the pool is created and only its tokens are
   *   accepted. A REST API accepts tokens of every client of the pool.
   */
  public static cognito(userPool: cognito.IUserPool, scopes?: string[], userPoolClients?: cognito.IUserPoolClient[]): ApiAuthorization {
    const scopeList = scopes && scopes.length > 0 ? scopes : undefined;
    // One authorizer per API, shared by its methods.
    const authorizers = new WeakMap<Construct, apigateway.CognitoUserPoolsAuthorizer>();
    return new ApiAuthorization(ApiAuthorizationType.COGNITO, (scope) => {
      let authorizer = authorizers.get(scope);
      if (!authorizer) {
        authorizer = new apigateway.CognitoUserPoolsAuthorizer(scope, 'CognitoAuthorizer', {
          cognitoUserPools: [userPool],
        });
        authorizers.set(scope, authorizer);
      }
      return {
        authorizationType: apigateway.AuthorizationType.COGNITO,
        authorizer,
        authorizationScopes: scopeList,
      };
    }, () => ({
      // One per ApiAuthorization: the authorizer binds to the first API it is used on.
      authorizer: new httpAuthorizers.HttpUserPoolAuthorizer('CognitoAuthorizer', userPool, { userPoolClients }),
      authorizationScopes: scopeList,
    }));
  }

  /** No authorization. Use only behind another gate (a private network, a WAF rule). */
  public static none(): ApiAuthorization {
    return new ApiAuthorization(ApiAuthorizationType.NONE, () => ({
      authorizationType: apigateway.AuthorizationType.NONE,
    }), () => ({ authorizer: new apigatewayv2.HttpNoneAuthorizer() }));
  }

  /** Which kind of authorization this is. */
  public readonly type: ApiAuthorizationType;

  // Private: a subclass written in Python or Java could not implement the
  // internal `_methodOptions`, and would fail only at synthesis.
  private constructor(
    type: ApiAuthorizationType,
    private readonly methodOptions: (scope: Construct) => apigateway.MethodOptions,
    private readonly routeOptions: () => HttpRouteAuthorization,
  ) {
    this.type = type;
  }

  /**
   * The method options that apply this authorization to a method of `scope`'s API.
   * @internal
   */
  public _methodOptions(scope: Construct): apigateway.MethodOptions {
    return this.methodOptions(scope);
  }

  /**
   * The authorizer and scopes that apply this authorization to the routes of one
   * HTTP API (a new authorizer per call: an HTTP authorizer belongs to one API).
   * @internal
   */
  public _httpRouteAuthorization(): HttpRouteAuthorization {
    return this.routeOptions();
  }
}

/**
 * How a route of an HTTP API is authorized.
 * @internal
 */
export interface HttpRouteAuthorization {
  readonly authorizer: apigatewayv2.IHttpRouteAuthorizer;
  readonly authorizationScopes?: string[];
}
