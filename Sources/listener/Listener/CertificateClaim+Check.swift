import PosternIPC
import PosternTLS

extension CertificateClaim {
    /// The claim for authd from what the handshake found, bounded for the record.
    init(check: ClientCertificateCheck) {
        let certificate = check.certificate
        self.init(subject: certificate?.subject, issuer: certificate?.issuer.rfc4514 ?? "", serial: certificate?.serial ?? "",
                  userPrincipalNames: certificate?.userPrincipalNames ?? [], refusal: check.refusal?.reason)
        self = bounded()
    }
}
