import jwt from 'jsonwebtoken';
import type { SigningKeys } from './keys';
import type { PublicUser } from './models/user';

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlMs: number;
}

export class AccessTokens {
  constructor(
    private readonly keys: SigningKeys,
    private readonly settings: AccessTokenSettings,
  ) {}

  issue(user: PublicUser): { accessToken: string; tokenType: 'Bearer'; expiresIn: number } {
    const expiresIn = Math.floor(this.settings.ttlMs / 1000);
    const accessToken = jwt.sign({ roles: user.roles }, this.keys.signing.privateKey, {
      algorithm: this.keys.signing.algorithm,
      keyid: this.keys.signing.kid,
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      subject: user.id,
      expiresIn,
    });
    return { accessToken, tokenType: 'Bearer', expiresIn };
  }
}
