Feature: The SolrContingency User Role and its SMKI certificates (MP134B R1, R2)
  A Shared Resource Provider (SRP) acts for a failed supplier under a DUIS User Role of its own,
  SolrContingency, with a User ID (EUI-64) of its own. In that role it signs DUIS with an SMKI
  Organisation Certificate of Remote Party Role xmlSign (135, subject OU 87) and may hold no
  certificate that could sign critical GBCS commands.

  Shared Resource Provider is DCC User 90-B3-D5-1F-30-0A-00-00; Bright Energy's customers at
  Flat 3 have an ESME and a GSME.

  @R1.1 @smets1 @smets2
  Scenario: SolrContingency is a DUIS User Role beside the supplier and other roles
    Then the DUIS User Roles are "IS, ES, GS, RSA, ED, GT, OU, SolrContingency"

  @R1.1 @smets2
  Scenario: The SRP's User ID identifies it when it acts for a failed supplier
    Given "Shared Resource Provider" is DCC User "90-B3-D5-1F-30-0A-00-00" in the "SolrContingency" User Role
    And supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC accepts it
    And the audit trail records the request as from User ID "90-B3-D5-1F-30-0A-00-00"
    And the ESME of "Flat 3" is in credit mode

  @R1.1 @smets2
  Scenario: A party with an xmlSign certificate but no registered User ID is refused
    Given "Unknown Resources" holds an xmlSign certificate for User ID "90-B3-D5-1F-30-0D-00-00"
    And supplier "Bright Energy" has failed and its SMKI certificates are revoked
    When "Unknown Resources" sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC rejects it at the "user" stage with "E1"
    And no meter has changed

  @R1.1 @smets2
  Scenario: A suspended SRP is refused
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    And the DCC has suspended the SRP
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC rejects it at the "user" stage with "E3"
    And no meter has changed

  @R1.1 @smets2
  Scenario: The SRP cannot send under the failed supplier's User ID
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3" in the name of "Bright Energy"
    Then the DCC rejects it at the "signature" stage with "E1"
    And no meter has changed

  @R2.1 @smets1 @smets2
  Scenario: The SRP may subscribe for an xmlSign Organisation Certificate and sign DUIS with it
    When "Shared Resource Provider" asks SMKI, in the "SolrContingency" User Role, for an Organisation Certificate with Remote Party Role "xmlSign" and key usage "digitalSignature"
    Then SMKI issues the certificate with subject OU "87"
    When the SRP signs its DUIS with the new certificate from now on
    And the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the audit trail shows that it passed the "signature" stage

  @R2.2 @smets1 @smets2
  Scenario Outline: The SRP may not obtain a certificate that signs critical commands
    When "Shared Resource Provider" asks SMKI, in the "SolrContingency" User Role, for an Organisation Certificate with Remote Party Role "<role>" and key usage "<usage>"
    Then SMKI refuses it, saying "User Role SolrContingency may not hold"
    And SMKI holds no "<role>" "<usage>" certificate for "Shared Resource Provider"

    Examples:
      | role            | usage            |
      | supplier        | digitalSignature |
      | supplier        | keyAgreement     |
      | networkOperator | digitalSignature |
      | other           | digitalSignature |
      | xmlSign         | keyAgreement     |

  @R2.2 @smets1 @smets2
  Scenario Outline: The SRP may not obtain them by asking in another User Role
    When "Shared Resource Provider" asks SMKI, in the "<user role>" User Role, for an Organisation Certificate with Remote Party Role "<role>" and key usage "<usage>"
    Then SMKI refuses it, saying "but the DCC registers it in User Role SolrContingency"
    And SMKI holds no "<role>" "<usage>" certificate for "Shared Resource Provider"

    Examples:
      | user role | role            | usage            |
      | IS        | supplier        | digitalSignature |
      | GS        | supplier        | keyAgreement     |
      | ES        | supplier        | digitalSignature |
      | ED        | networkOperator | digitalSignature |
      | OU        | other           | keyAgreement     |
