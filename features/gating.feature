Feature: When and for whom the DCC countersigns or MACs the SRP's command (MP134B R6.3-R6.5)
  Before the DCC countersigns an SMETS1 SR (R6.3) or adds its MAC to an SMETS2+ command (R6.4),
  the request must be signed with the SRP's own xmlSign certificate in the SolrContingency role;
  the supplier acted for (the SMETS1 meter's supplier; the SMETS2+ GBCS Business Originator) must
  have held Supplier certificates in SMKI, all now revoked; and every existing check (DUIS
  authentication, replay, the pre-command being the one the DCC issued and signed by that
  supplier, content) must pass. A supplier that never held Supplier certificates, or whose
  certificates are still valid, cannot be acted for (R6.5).

  @R6.3 @smets1
  Scenario: The DCC countersigns the SRP's SMETS1 credit request for a failed, revoked supplier
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    When the SRP sends SR 1.6 "Credit" to the SMETS1 meter of "Flat 5"
    Then the DCC accepts it
    And the DCC countersigns it and sends the SMETS1 meter of "Flat 5" a credit command on behalf of "Bright Energy"
    And the SRP receives the meter's response "I0", signed by the DCC
    And the SMETS1 meter of "Flat 5" is in credit mode

  @R6.3 @R6.5 @smets1
  Scenario: No countersignature while the supplier's Supplier certificates are still valid
    Given Ofgem has notified a SoLR event for "Bright Energy"
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    When the SRP sends SR 1.6 "Credit" to the SMETS1 meter of "Flat 5"
    Then the DCC rejects it at the "solr-revocation" stage with "E4"
    And no meter has changed

  @R6.3 @smets1
  Scenario: No countersignature for a request signed with a Supplier certificate instead of the SRP's xmlSign
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    When the SRP sends SR 1.6 "Credit" to the SMETS1 meter of "Flat 5" with its DUIS signed by the Supplier DS certificate of "Bright Energy"
    Then the DCC rejects it at the "signature" stage with "E1"
    And no meter has changed

  @R6.3 @smets1
  Scenario: A SMETS1 request is sent as it is, never transformed
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    When the SRP asks the DCC to transform SR 1.6 "Credit" for the SMETS1 meter of "Flat 5"
    Then the DCC rejects it at the "command-variant" stage with "E12"
    And no meter has changed

  @R6.3 @R6.4 @smets1 @smets2
  Scenario Outline: A request captured while quarantined and replayed once the ADT is in force is refused
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    When the SRP sends SR 1.6 "Credit" to the <meter> of "<premises>"
    Then the DCC quarantines it at the "adt" stage with DCC alert AD1 "ADUserThresholdBreach"
    And no meter has changed
    When officer "srp-aro" submits an ADT of 100 SR 1.6 a day for "Bright Energy"
    And an attacker replays the last request
    Then the DCC rejects it at the "replay" stage with "E1000"
    And no meter has changed

    Examples:
      | meter        | premises |
      | SMETS1 meter | Flat 5   |
      | ESME         | Flat 3   |

  @R6.4 @smets2
  Scenario Outline: The DCC MACs the SRP's signed pre-command for a failed, revoked supplier
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    When the SRP asks the DCC to transform SR 1.6 "Credit" for the <meter> of "Flat 3"
    Then the DCC accepts it
    When the SRP sends back the pre-command, signed with the Supplier DS key of "Bright Energy"
    Then the DCC accepts it
    And the DCC sends the <meter> of "Flat 3" a MACed credit command on behalf of "Bright Energy"
    And the SRP receives the meter's response "I0", signed by the DCC
    And the <meter> of "Flat 3" is in credit mode

    Examples:
      | meter |
      | ESME  |
      | GSME  |

  @R6.4 @smets2
  Scenario Outline: No MAC for DUIS signed with a Supplier DS certificate instead of the SRP's xmlSign
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3" with its DUIS signed by the Supplier DS certificate of "<supplier>"
    Then the DCC rejects it at the "signature" stage with "E1"
    And no meter has changed

    Examples:
      | supplier      |
      | Bright Energy |
      | Steady Power  |

  @R6.4 @smets2
  Scenario Outline: No MAC for a pre-command that is not the one the DCC issued, signed by the supplier acted for
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    When the SRP asks the DCC to transform SR 1.6 "Credit" for the ESME of "Flat 3"
    And <sending back>
    Then the DCC rejects it at the "<stage>" stage with "<code>"
    And no meter has changed

    Examples:
      | sending back                                                                                                       | stage               | code  |
      | the SRP sends back the pre-command, signed with the Supplier DS key of "Steady Power"                             | gbcs-signature      | E1000 |
      | the SRP sends back the pre-command unsigned                                                                        | pre-command         | E1000 |
      | the SRP sends back the pre-command with its execution date moved a week later, signed with the Supplier DS key of "Bright Energy" | correlation | E1000 |
      | the SRP sends back the pre-command with the business originator "Steady Power", signed with the Supplier DS key of "Steady Power" | registered-supplier | E4 |

  @R6.4 @smets2
  Scenario: No MAC for a credit pre-command the DCC never issued
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    When the SRP sends a credit pre-command of its own making for the ESME of "Flat 3", signed with the Supplier DS key of "Bright Energy"
    Then the DCC rejects it at the "correlation" stage with "E1000"
    And no meter has changed

  @R6.4 @smets2
  Scenario: No MAC once the supplier holds a valid Supplier certificate again
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    When the SRP asks the DCC to transform SR 1.6 "Credit" for the ESME of "Flat 3"
    And the DCC reinstates "Bright Energy"
    And SMKI issues "Bright Energy" a new Supplier DS certificate
    And the SRP sends back the pre-command, signed with the Supplier DS key of "Bright Energy"
    Then the DCC rejects it at the "solr-revocation" stage with "E4"
    And no meter has changed

  @R6.4 @smets2
  Scenario: No MAC once the SRP's own xmlSign certificate is revoked
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    When the SRP asks the DCC to transform SR 1.6 "Credit" for the ESME of "Flat 3"
    And SMKI revokes the xmlSign certificate of the SRP
    And the SRP sends back the pre-command, signed with the Supplier DS key of "Bright Energy"
    Then the DCC rejects it at the "signature" stage with "E1"
    And no meter has changed

  @R6.5 @smets2
  Scenario: A party that never held Supplier certificates cannot be acted for
    Given "Never Supplied" never held a Supplier certificate
    And Ofgem has notified a SoLR event for "Never Supplied"
    And Ofgem has instructed the SRP to act for "Never Supplied"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Never Supplied"
    When the SRP sends SR 1.6 "Credit" to the ESME of "The Old Forge"
    Then the DCC rejects it at the "solr-revocation" stage with "E4"
    And no meter has changed

  @R6.5 @smets2
  Scenario: A supplier whose Supplier certificates are still valid cannot be acted for
    Given Ofgem has notified a SoLR event for "Steady Power"
    And Ofgem has instructed the SRP to act for "Steady Power"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Steady Power"
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 7"
    Then the DCC rejects it at the "solr-revocation" stage with "E4"
    And no meter has changed

  @R6.5 @smets2
  Scenario: A supplier only partly revoked cannot be acted for
    Given Ofgem has notified a SoLR event for "Steady Power"
    And SMKI has revoked only the Supplier DS certificate of "Steady Power"
    And Ofgem has instructed the SRP to act for "Steady Power"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Steady Power"
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 7"
    Then the DCC rejects it at the "solr-revocation" stage with "E4"
    And no meter has changed
