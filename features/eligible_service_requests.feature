Feature: Service Requests the SolrContingency role may send, as run-time configuration (MP134B R3)
  The SRP may send SR 1.6 Update Payment Mode and nothing else: any other SRV is refused as a
  role / service-reference authorisation failure (DUIS E2). The list is configuration in the
  DCC's dcc.toml, and an edit takes effect at the next request, with no code change and without
  restarting the running DCC.

  Background:
    Given supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 100 SR 1.6 a day for "Bright Energy"

  @R3.1 @smets1 @smets2
  Scenario Outline: The SolrContingency role is eligible for SR 1.6 only
    Then the DCC's configuration lets the "SolrContingency" User Role send SRV "1.6" only
    When the SRP sends SR 1.6 "Credit" to the <meter> of "<premises>"
    Then the DCC accepts it
    And the <meter> of "<premises>" is in credit mode

    Examples:
      | meter        | premises |
      | ESME         | Flat 3   |
      | SMETS1 meter | Flat 5   |

  @R3.2 @smets2
  Scenario Outline: Any other SRV from the SRP is refused as an authorisation failure
    When the SRP sends an SRV <srv> request to the ESME of "Flat 3"
    Then the DCC rejects it at the "srv" stage with "E2"
    And no meter has changed

    Examples:
      | srv   |
      | 1.5   |
      | 1.1.1 |
      | 1.7   |
      | 2.1   |
      | 8.2   |
      | 11.1  |

  @R3.2 @smets2
  Scenario: What the SRP may not send, a supplier still may
    When "Steady Power" sends an SRV 8.2 request to the ESME of "Flat 7"
    Then the audit trail shows that it passed the "srv" stage

  @R3.3 @smets2
  Scenario: Adding SR 1.5 in dcc.toml takes effect while the DCC runs
    When the SRP sends an SRV 1.5 request to the ESME of "Flat 3"
    Then the DCC rejects it at the "srv" stage with "E2"
    And no meter has changed
    When the DCC operator sets the SRVs of the "SolrContingency" User Role to "1.6, 1.5" in dcc.toml
    And the SRP sends an SRV 1.5 request to the ESME of "Flat 3"
    Then the audit trail shows that it passed the "srv" stage
    # the DCC does not offer SR 1.5, so the next stage refuses it as no User Role's to send
    And the DCC rejects it at the "request" stage with "E2"
    And no meter has changed
    And the DCC has not been restarted

  @R3.3 @smets1 @smets2
  Scenario Outline: Removing SR 1.6 in dcc.toml takes effect while the DCC runs, and so does restoring it
    When the DCC operator sets the SRVs of the "SolrContingency" User Role to "1.5" in dcc.toml
    And the SRP sends SR 1.6 "Credit" to the <meter> of "<premises>"
    Then the DCC rejects it at the "srv" stage with "E2"
    And no meter has changed
    When the DCC operator sets the SRVs of the "SolrContingency" User Role to "1.6" in dcc.toml
    And the SRP sends SR 1.6 "Credit" to the <meter> of "<premises>"
    Then the DCC accepts it
    And the <meter> of "<premises>" is in credit mode
    And the DCC has not been restarted

    Examples:
      | meter        | premises |
      | ESME         | Flat 3   |
      | SMETS1 meter | Flat 5   |

  @R3.3 @smets2
  Scenario: A broken dcc.toml keeps the last good list
    When the DCC operator saves a dcc.toml with a syntax error
    And the SRP sends an SRV 1.5 request to the ESME of "Flat 3"
    Then the DCC rejects it at the "srv" stage with "E2"
    And no meter has changed
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the DCC accepts it
    And the ESME of "Flat 3" is in credit mode
