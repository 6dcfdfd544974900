Feature: Responsible officers, ADT files and the zero default (MP134B R4, R6.1, R6.2)
  The SRP's party appoints Authorised and Senior Responsible Officers (AROs, SROs). Only they may
  submit an Anomaly Detection Threshold (ADT) file for its SolrContingency User ID, with
  thresholds per SRV and per supplier acted for. Until a valid ADT is in force the SRP's
  threshold is zero: every request is quarantined, however valid. And the DCC takes a non-zero
  ADT only once Ofgem, following a SoLR notification, has instructed it naming that SRP and
  that supplier.

  The SRP's party, Shared Resource Provider, has ARO "srp-aro".

  @R4.1 @smets2
  Scenario: The SRP's party appoints an SRO, whose ADT the DCC accepts
    Given "Shared Resource Provider" has appointed SRO "srp-sro"
    And "Shared Resource Provider" has appointed ARO "srp-aro-2"
    And supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    When officer "srp-sro" submits an ADT of 5 SR 1.6 a day for "Bright Energy"
    Then the DCC accepts the ADT
    And the DCC's register lists SRO "srp-sro" for "Shared Resource Provider"
    And the DCC's register lists ARO "srp-aro-2" for "Shared Resource Provider"
    And the DCC's register lists ARO "srp-aro" for "Shared Resource Provider"
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC accepts it
    And the ESME of "Flat 3" is in credit mode

  @R4.2 @smets2
  Scenario Outline: An ADT not signed by one of the SRP's own officers is refused, and the SRP stays at zero
    Given "Bright Energy" has appointed ARO "bright-aro"
    And supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    When <submission>
    Then the DCC refuses the ADT under rule "R4.2"
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC quarantines it at the "adt" stage with DCC alert AD1 "ADUserThresholdBreach"
    And no meter has changed

    Examples:
      | submission                                                                                              |
      | officer "mallory" submits an ADT of 100 SR 1.6 a day for "Bright Energy"                                |
      | an ADT of 100 SR 1.6 a day for "Bright Energy" is submitted in the name of officer "srp-aro" but signed with another key |
      | officer "bright-aro" submits an ADT of 100 SR 1.6 a day for "Bright Energy"                             |

  @R4.2 @smets2
  Scenario: A request over the ADT is quarantined
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 1 SR 1.6 a day for "Bright Energy"
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC accepts it
    And the ESME of "Flat 3" is in credit mode
    When the SRP sends SR 1.6 "Credit" to the GSME of "Flat 3"
    Then the DCC quarantines it at the "adt" stage with DCC alert AD1 "ADUserThresholdBreach"
    And no meter has changed

  @R4.2 @smets2
  Scenario: Thresholds are per supplier acted for
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And supplier "Steady Power" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And Ofgem has instructed the SRP to act for "Steady Power"
    When officer "srp-aro" submits an ADT for the SRP:
      | SRV | per day | supplier      |
      | 1.6 | 1       | Bright Energy |
      | 1.6 | 1       | Steady Power  |
    Then the DCC accepts the ADT
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC accepts it
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 7"
    Then the DCC accepts it
    When the SRP sends SR 1.6 "Credit" to the GSME of "Flat 3"
    Then the DCC quarantines it at the "adt" stage with DCC alert AD1 "ADUserThresholdBreach"
    And no meter has changed

  @R6.1 @smets1 @smets2
  Scenario Outline: After Ofgem's instruction but before any ADT, a valid request is quarantined
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    When the SRP sends SR 1.6 "Credit" to the <meter> of "<premises>"
    Then the DCC quarantines it at the "adt" stage with DCC alert AD1 "ADUserThresholdBreach"
    And no meter has changed

    Examples:
      | meter        | premises |
      | ESME         | Flat 3   |
      | GSME         | Flat 3   |
      | SMETS1 meter | Flat 5   |

  @R6.1 @smets2
  Scenario: An ADT of zero keeps the SRP at zero
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 0 SR 1.6 a day for "Bright Energy"
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC quarantines it at the "adt" stage with DCC alert AD1 "ADUserThresholdBreach"
    And no meter has changed

  @R6.2 @smets2
  Scenario: An ADT before Ofgem's instruction is refused, and stays refused when the instruction comes
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    When officer "srp-aro" submits an ADT of 100 SR 1.6 a day for "Bright Energy"
    Then the DCC refuses the ADT under rule "R6.2"
    When Ofgem instructs the SRP to act for "Bright Energy"
    And the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC quarantines it at the "adt" stage with DCC alert AD1 "ADUserThresholdBreach"
    And no meter has changed

  @R6.2 @smets2
  Scenario: An ADT for an SRP that Ofgem did not name is refused
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed "Rogue Resources" to act for "Bright Energy"
    When officer "srp-aro" submits an ADT of 100 SR 1.6 a day for "Bright Energy"
    Then the DCC refuses the ADT under rule "R6.2"
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC rejects it at the "solr-instruction" stage with "E4"
    And no meter has changed

  @R6.2 @smets2
  Scenario: An ADT for a supplier Ofgem did not name the SRP for is refused
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And supplier "Steady Power" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    When officer "srp-aro" submits an ADT of 100 SR 1.6 a day for "Steady Power"
    Then the DCC refuses the ADT under rule "R6.2"
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 7"
    Then the DCC rejects it at the "solr-instruction" stage with "E4"
    And no meter has changed

  @R6.2 @smets2
  Scenario: Ofgem cannot instruct before the SoLR notification
    When Ofgem tries to instruct the SRP to act for "Bright Energy"
    Then the DCC refuses the instruction
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC rejects it at the "solr-instruction" stage with "E4"
    And no meter has changed

  @R6.2 @smets2
  Scenario: Another SRP cannot act for the failed supplier
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    When "Rogue Resources" sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC rejects it at the "solr-instruction" stage with "E4"
    And no meter has changed

  @R6.2 @smets2
  Scenario: The SRP cannot act for a supplier Ofgem did not name it for
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"
    And supplier "Steady Power" has failed and its SMKI certificates are revoked
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 7"
    Then the DCC rejects it at the "solr-instruction" stage with "E4"
    And no meter has changed
