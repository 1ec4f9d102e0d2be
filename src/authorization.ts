import * as apigateway from 'aws-cdk-lib/aws-apigateway';
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
 * pool, or nobody checked at all.
 */
export abstract class ApiAuthorization {
  /** SigV4-signed requests, authorized by IAM policies (see `grantIngest` / `grantRead`). */
  public static iam(): ApiAuthorization {
    return new IamAuthorization();
  }

  /**
   * Tokens issued by a Cognito user pool.
   * @param userPool the pool whose tokens are accepted
   * @param scopes OAuth scopes a token must carry (any one of them); empty
   *   accepts ID tokens of the pool
   */
  public static cognito(userPool: cognito.IUserPool, scopes?: string[]): ApiAuthorization {
    return new CognitoAuthorization(userPool, scopes ?? []);
  }

  /** No authorization. Use only behind another gate (a private network, a WAF rule). */
  public static none(): ApiAuthorization {
    return new NoAuthorization();
  }

  /** Which kind of authorization this is. */
  public abstract readonly type: ApiAuthorizationType;

  /**
   * The method options that apply this authorization to a method of `api`.
   * @internal
   */
  public abstract _methodOptions(scope: Construct): apigateway.MethodOptions;
}

class IamAuthorization extends ApiAuthorization {
  public readonly type = ApiAuthorizationType.IAM;

  public _methodOptions(): apigateway.MethodOptions {
    return { authorizationType: apigateway.AuthorizationType.IAM };
  }
}

class NoAuthorization extends ApiAuthorization {
  public readonly type = ApiAuthorizationType.NONE;

  public _methodOptions(): apigateway.MethodOptions {
    return { authorizationType: apigateway.AuthorizationType.NONE };
  }
}

class CognitoAuthorization extends ApiAuthorization {
  public readonly type = ApiAuthorizationType.COGNITO;
  private readonly authorizers = new WeakMap<Construct, apigateway.CognitoUserPoolsAuthorizer>();

  constructor(private readonly userPool: cognito.IUserPool, private readonly scopes: string[]) {
    super();
  }

  public _methodOptions(scope: Construct): apigateway.MethodOptions {
    // One authorizer per API, shared by its methods.
    let authorizer = this.authorizers.get(scope);
    if (!authorizer) {
      authorizer = new apigateway.CognitoUserPoolsAuthorizer(scope, 'CognitoAuthorizer', {
        cognitoUserPools: [this.userPool],
      });
      this.authorizers.set(scope, authorizer);
    }
    return {
      authorizationType: apigateway.AuthorizationType.COGNITO,
      authorizer,
      authorizationScopes: this.scopes.length > 0 ? this.scopes : undefined,
    };
  }
}
