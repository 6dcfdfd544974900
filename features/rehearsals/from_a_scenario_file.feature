@rehearsal
Feature: A rehearsal taken from a scenario file
  A feature may take everything but the expectations from a scenario file (the path from the
  feature's folder) and change what it needs, here the fleet's size; its Then steps state what
  the run must show.

  @R6.3 @R6.4 @R7.1 @smets1 @smets2
  Scenario: solr-small on 200 meters
    Given the rehearsal described in "../../scenarios/solr-small.yaml"
    And the fleet has 200 meters
    When the rehearsal runs
    Then within 6 hours of the failure 100% of the failed supplier's reachable prepayment meters are in credit
    And no request to put a meter into prepayment is actioned
    And every alert of the failed supplier's meters from its revocation on reaches the SRP
