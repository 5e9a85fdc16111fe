package io.kanal.proxy.filter;

import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddRaftVoterRequestData;
import org.apache.kafka.common.message.AddRaftVoterResponseData;
import org.apache.kafka.common.message.AllocateProducerIdsRequestData;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.message.AlterReplicaLogDirsRequestData;
import org.apache.kafka.common.message.AlterReplicaLogDirsResponseData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.AssignReplicasToDirsRequestData;
import org.apache.kafka.common.message.AssignReplicasToDirsResponseData;
import org.apache.kafka.common.message.BeginQuorumEpochRequestData;
import org.apache.kafka.common.message.BeginQuorumEpochResponseData;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.ControllerRegistrationRequestData;
import org.apache.kafka.common.message.ControllerRegistrationResponseData;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateDelegationTokenRequestData;
import org.apache.kafka.common.message.CreateDelegationTokenResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeDelegationTokenRequestData;
import org.apache.kafka.common.message.DescribeDelegationTokenResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.EndQuorumEpochRequestData;
import org.apache.kafka.common.message.EndQuorumEpochResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.EnvelopeRequestData;
import org.apache.kafka.common.message.EnvelopeResponseData;
import org.apache.kafka.common.message.ExpireDelegationTokenRequestData;
import org.apache.kafka.common.message.ExpireDelegationTokenResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchSnapshotRequestData;
import org.apache.kafka.common.message.FetchSnapshotResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.GetTelemetrySubscriptionsRequestData;
import org.apache.kafka.common.message.GetTelemetrySubscriptionsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListConfigResourcesRequestData;
import org.apache.kafka.common.message.ListConfigResourcesResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.PushTelemetryRequestData;
import org.apache.kafka.common.message.PushTelemetryResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData;
import org.apache.kafka.common.message.RemoveRaftVoterRequestData;
import org.apache.kafka.common.message.RemoveRaftVoterResponseData;
import org.apache.kafka.common.message.RenewDelegationTokenRequestData;
import org.apache.kafka.common.message.RenewDelegationTokenResponseData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.message.StreamsGroupDescribeRequestData;
import org.apache.kafka.common.message.StreamsGroupDescribeResponseData;
import org.apache.kafka.common.message.StreamsGroupHeartbeatRequestData;
import org.apache.kafka.common.message.StreamsGroupHeartbeatResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.UnregisterBrokerRequestData;
import org.apache.kafka.common.message.UnregisterBrokerResponseData;
import org.apache.kafka.common.message.UpdateFeaturesRequestData;
import org.apache.kafka.common.message.UpdateFeaturesResponseData;
import org.apache.kafka.common.message.UpdateRaftVoterRequestData;
import org.apache.kafka.common.message.UpdateRaftVoterResponseData;
import org.apache.kafka.common.message.VoteRequestData;
import org.apache.kafka.common.message.VoteResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A Kafka API together with the kafka-clients classes of its request and response bodies, so that a hook registered
 * for it receives those classes without a cast: {@code hooks.onRequest(KafkaApi.PRODUCE, (context, request) -> ...)}
 * gets a {@link ProduceRequestData}.
 *
 * <p>There is one constant for every API that kafka-clients has message classes for.
 *
 * @param <Q> the request body class
 * @param <R> the response body class
 */
public final class KafkaApi<Q extends ApiMessage, R extends ApiMessage> {

    /** Every constant, in declaration order; filled by the constructor, so it is declared before them. */
    private static final List<KafkaApi<?, ?>> ALL = new ArrayList<>();

    public static final KafkaApi<ProduceRequestData, ProduceResponseData> PRODUCE =
            new KafkaApi<>(ApiKeys.PRODUCE, ProduceRequestData.class, ProduceResponseData.class);
    public static final KafkaApi<FetchRequestData, FetchResponseData> FETCH =
            new KafkaApi<>(ApiKeys.FETCH, FetchRequestData.class, FetchResponseData.class);
    public static final KafkaApi<ListOffsetsRequestData, ListOffsetsResponseData> LIST_OFFSETS =
            new KafkaApi<>(ApiKeys.LIST_OFFSETS, ListOffsetsRequestData.class, ListOffsetsResponseData.class);
    public static final KafkaApi<MetadataRequestData, MetadataResponseData> METADATA =
            new KafkaApi<>(ApiKeys.METADATA, MetadataRequestData.class, MetadataResponseData.class);
    public static final KafkaApi<OffsetCommitRequestData, OffsetCommitResponseData> OFFSET_COMMIT =
            new KafkaApi<>(ApiKeys.OFFSET_COMMIT, OffsetCommitRequestData.class, OffsetCommitResponseData.class);
    public static final KafkaApi<OffsetFetchRequestData, OffsetFetchResponseData> OFFSET_FETCH =
            new KafkaApi<>(ApiKeys.OFFSET_FETCH, OffsetFetchRequestData.class, OffsetFetchResponseData.class);
    public static final KafkaApi<FindCoordinatorRequestData, FindCoordinatorResponseData> FIND_COORDINATOR =
            new KafkaApi<>(ApiKeys.FIND_COORDINATOR, FindCoordinatorRequestData.class, FindCoordinatorResponseData.class);
    public static final KafkaApi<JoinGroupRequestData, JoinGroupResponseData> JOIN_GROUP =
            new KafkaApi<>(ApiKeys.JOIN_GROUP, JoinGroupRequestData.class, JoinGroupResponseData.class);
    public static final KafkaApi<HeartbeatRequestData, HeartbeatResponseData> HEARTBEAT =
            new KafkaApi<>(ApiKeys.HEARTBEAT, HeartbeatRequestData.class, HeartbeatResponseData.class);
    public static final KafkaApi<LeaveGroupRequestData, LeaveGroupResponseData> LEAVE_GROUP =
            new KafkaApi<>(ApiKeys.LEAVE_GROUP, LeaveGroupRequestData.class, LeaveGroupResponseData.class);
    public static final KafkaApi<SyncGroupRequestData, SyncGroupResponseData> SYNC_GROUP =
            new KafkaApi<>(ApiKeys.SYNC_GROUP, SyncGroupRequestData.class, SyncGroupResponseData.class);
    public static final KafkaApi<DescribeGroupsRequestData, DescribeGroupsResponseData> DESCRIBE_GROUPS =
            new KafkaApi<>(ApiKeys.DESCRIBE_GROUPS, DescribeGroupsRequestData.class, DescribeGroupsResponseData.class);
    public static final KafkaApi<ListGroupsRequestData, ListGroupsResponseData> LIST_GROUPS =
            new KafkaApi<>(ApiKeys.LIST_GROUPS, ListGroupsRequestData.class, ListGroupsResponseData.class);
    public static final KafkaApi<SaslHandshakeRequestData, SaslHandshakeResponseData> SASL_HANDSHAKE =
            new KafkaApi<>(ApiKeys.SASL_HANDSHAKE, SaslHandshakeRequestData.class, SaslHandshakeResponseData.class);
    public static final KafkaApi<ApiVersionsRequestData, ApiVersionsResponseData> API_VERSIONS =
            new KafkaApi<>(ApiKeys.API_VERSIONS, ApiVersionsRequestData.class, ApiVersionsResponseData.class);
    public static final KafkaApi<CreateTopicsRequestData, CreateTopicsResponseData> CREATE_TOPICS =
            new KafkaApi<>(ApiKeys.CREATE_TOPICS, CreateTopicsRequestData.class, CreateTopicsResponseData.class);
    public static final KafkaApi<DeleteTopicsRequestData, DeleteTopicsResponseData> DELETE_TOPICS =
            new KafkaApi<>(ApiKeys.DELETE_TOPICS, DeleteTopicsRequestData.class, DeleteTopicsResponseData.class);
    public static final KafkaApi<DeleteRecordsRequestData, DeleteRecordsResponseData> DELETE_RECORDS =
            new KafkaApi<>(ApiKeys.DELETE_RECORDS, DeleteRecordsRequestData.class, DeleteRecordsResponseData.class);
    public static final KafkaApi<InitProducerIdRequestData, InitProducerIdResponseData> INIT_PRODUCER_ID =
            new KafkaApi<>(ApiKeys.INIT_PRODUCER_ID, InitProducerIdRequestData.class, InitProducerIdResponseData.class);
    public static final KafkaApi<OffsetForLeaderEpochRequestData, OffsetForLeaderEpochResponseData> OFFSET_FOR_LEADER_EPOCH =
            new KafkaApi<>(ApiKeys.OFFSET_FOR_LEADER_EPOCH, OffsetForLeaderEpochRequestData.class, OffsetForLeaderEpochResponseData.class);
    public static final KafkaApi<AddPartitionsToTxnRequestData, AddPartitionsToTxnResponseData> ADD_PARTITIONS_TO_TXN =
            new KafkaApi<>(ApiKeys.ADD_PARTITIONS_TO_TXN, AddPartitionsToTxnRequestData.class, AddPartitionsToTxnResponseData.class);
    public static final KafkaApi<AddOffsetsToTxnRequestData, AddOffsetsToTxnResponseData> ADD_OFFSETS_TO_TXN =
            new KafkaApi<>(ApiKeys.ADD_OFFSETS_TO_TXN, AddOffsetsToTxnRequestData.class, AddOffsetsToTxnResponseData.class);
    public static final KafkaApi<EndTxnRequestData, EndTxnResponseData> END_TXN =
            new KafkaApi<>(ApiKeys.END_TXN, EndTxnRequestData.class, EndTxnResponseData.class);
    public static final KafkaApi<WriteTxnMarkersRequestData, WriteTxnMarkersResponseData> WRITE_TXN_MARKERS =
            new KafkaApi<>(ApiKeys.WRITE_TXN_MARKERS, WriteTxnMarkersRequestData.class, WriteTxnMarkersResponseData.class);
    public static final KafkaApi<TxnOffsetCommitRequestData, TxnOffsetCommitResponseData> TXN_OFFSET_COMMIT =
            new KafkaApi<>(ApiKeys.TXN_OFFSET_COMMIT, TxnOffsetCommitRequestData.class, TxnOffsetCommitResponseData.class);
    public static final KafkaApi<DescribeAclsRequestData, DescribeAclsResponseData> DESCRIBE_ACLS =
            new KafkaApi<>(ApiKeys.DESCRIBE_ACLS, DescribeAclsRequestData.class, DescribeAclsResponseData.class);
    public static final KafkaApi<CreateAclsRequestData, CreateAclsResponseData> CREATE_ACLS =
            new KafkaApi<>(ApiKeys.CREATE_ACLS, CreateAclsRequestData.class, CreateAclsResponseData.class);
    public static final KafkaApi<DeleteAclsRequestData, DeleteAclsResponseData> DELETE_ACLS =
            new KafkaApi<>(ApiKeys.DELETE_ACLS, DeleteAclsRequestData.class, DeleteAclsResponseData.class);
    public static final KafkaApi<DescribeConfigsRequestData, DescribeConfigsResponseData> DESCRIBE_CONFIGS =
            new KafkaApi<>(ApiKeys.DESCRIBE_CONFIGS, DescribeConfigsRequestData.class, DescribeConfigsResponseData.class);
    public static final KafkaApi<AlterConfigsRequestData, AlterConfigsResponseData> ALTER_CONFIGS =
            new KafkaApi<>(ApiKeys.ALTER_CONFIGS, AlterConfigsRequestData.class, AlterConfigsResponseData.class);
    public static final KafkaApi<AlterReplicaLogDirsRequestData, AlterReplicaLogDirsResponseData> ALTER_REPLICA_LOG_DIRS =
            new KafkaApi<>(ApiKeys.ALTER_REPLICA_LOG_DIRS, AlterReplicaLogDirsRequestData.class, AlterReplicaLogDirsResponseData.class);
    public static final KafkaApi<DescribeLogDirsRequestData, DescribeLogDirsResponseData> DESCRIBE_LOG_DIRS =
            new KafkaApi<>(ApiKeys.DESCRIBE_LOG_DIRS, DescribeLogDirsRequestData.class, DescribeLogDirsResponseData.class);
    public static final KafkaApi<SaslAuthenticateRequestData, SaslAuthenticateResponseData> SASL_AUTHENTICATE =
            new KafkaApi<>(ApiKeys.SASL_AUTHENTICATE, SaslAuthenticateRequestData.class, SaslAuthenticateResponseData.class);
    public static final KafkaApi<CreatePartitionsRequestData, CreatePartitionsResponseData> CREATE_PARTITIONS =
            new KafkaApi<>(ApiKeys.CREATE_PARTITIONS, CreatePartitionsRequestData.class, CreatePartitionsResponseData.class);
    public static final KafkaApi<CreateDelegationTokenRequestData, CreateDelegationTokenResponseData> CREATE_DELEGATION_TOKEN =
            new KafkaApi<>(ApiKeys.CREATE_DELEGATION_TOKEN, CreateDelegationTokenRequestData.class, CreateDelegationTokenResponseData.class);
    public static final KafkaApi<RenewDelegationTokenRequestData, RenewDelegationTokenResponseData> RENEW_DELEGATION_TOKEN =
            new KafkaApi<>(ApiKeys.RENEW_DELEGATION_TOKEN, RenewDelegationTokenRequestData.class, RenewDelegationTokenResponseData.class);
    public static final KafkaApi<ExpireDelegationTokenRequestData, ExpireDelegationTokenResponseData> EXPIRE_DELEGATION_TOKEN =
            new KafkaApi<>(ApiKeys.EXPIRE_DELEGATION_TOKEN, ExpireDelegationTokenRequestData.class, ExpireDelegationTokenResponseData.class);
    public static final KafkaApi<DescribeDelegationTokenRequestData, DescribeDelegationTokenResponseData> DESCRIBE_DELEGATION_TOKEN =
            new KafkaApi<>(ApiKeys.DESCRIBE_DELEGATION_TOKEN, DescribeDelegationTokenRequestData.class, DescribeDelegationTokenResponseData.class);
    public static final KafkaApi<DeleteGroupsRequestData, DeleteGroupsResponseData> DELETE_GROUPS =
            new KafkaApi<>(ApiKeys.DELETE_GROUPS, DeleteGroupsRequestData.class, DeleteGroupsResponseData.class);
    public static final KafkaApi<ElectLeadersRequestData, ElectLeadersResponseData> ELECT_LEADERS =
            new KafkaApi<>(ApiKeys.ELECT_LEADERS, ElectLeadersRequestData.class, ElectLeadersResponseData.class);
    public static final KafkaApi<IncrementalAlterConfigsRequestData, IncrementalAlterConfigsResponseData> INCREMENTAL_ALTER_CONFIGS =
            new KafkaApi<>(ApiKeys.INCREMENTAL_ALTER_CONFIGS, IncrementalAlterConfigsRequestData.class, IncrementalAlterConfigsResponseData.class);
    public static final KafkaApi<AlterPartitionReassignmentsRequestData, AlterPartitionReassignmentsResponseData> ALTER_PARTITION_REASSIGNMENTS =
            new KafkaApi<>(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, AlterPartitionReassignmentsRequestData.class, AlterPartitionReassignmentsResponseData.class);
    public static final KafkaApi<ListPartitionReassignmentsRequestData, ListPartitionReassignmentsResponseData> LIST_PARTITION_REASSIGNMENTS =
            new KafkaApi<>(ApiKeys.LIST_PARTITION_REASSIGNMENTS, ListPartitionReassignmentsRequestData.class, ListPartitionReassignmentsResponseData.class);
    public static final KafkaApi<OffsetDeleteRequestData, OffsetDeleteResponseData> OFFSET_DELETE =
            new KafkaApi<>(ApiKeys.OFFSET_DELETE, OffsetDeleteRequestData.class, OffsetDeleteResponseData.class);
    public static final KafkaApi<DescribeClientQuotasRequestData, DescribeClientQuotasResponseData> DESCRIBE_CLIENT_QUOTAS =
            new KafkaApi<>(ApiKeys.DESCRIBE_CLIENT_QUOTAS, DescribeClientQuotasRequestData.class, DescribeClientQuotasResponseData.class);
    public static final KafkaApi<AlterClientQuotasRequestData, AlterClientQuotasResponseData> ALTER_CLIENT_QUOTAS =
            new KafkaApi<>(ApiKeys.ALTER_CLIENT_QUOTAS, AlterClientQuotasRequestData.class, AlterClientQuotasResponseData.class);
    public static final KafkaApi<DescribeUserScramCredentialsRequestData, DescribeUserScramCredentialsResponseData> DESCRIBE_USER_SCRAM_CREDENTIALS =
            new KafkaApi<>(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, DescribeUserScramCredentialsRequestData.class, DescribeUserScramCredentialsResponseData.class);
    public static final KafkaApi<AlterUserScramCredentialsRequestData, AlterUserScramCredentialsResponseData> ALTER_USER_SCRAM_CREDENTIALS =
            new KafkaApi<>(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, AlterUserScramCredentialsRequestData.class, AlterUserScramCredentialsResponseData.class);
    public static final KafkaApi<VoteRequestData, VoteResponseData> VOTE =
            new KafkaApi<>(ApiKeys.VOTE, VoteRequestData.class, VoteResponseData.class);
    public static final KafkaApi<BeginQuorumEpochRequestData, BeginQuorumEpochResponseData> BEGIN_QUORUM_EPOCH =
            new KafkaApi<>(ApiKeys.BEGIN_QUORUM_EPOCH, BeginQuorumEpochRequestData.class, BeginQuorumEpochResponseData.class);
    public static final KafkaApi<EndQuorumEpochRequestData, EndQuorumEpochResponseData> END_QUORUM_EPOCH =
            new KafkaApi<>(ApiKeys.END_QUORUM_EPOCH, EndQuorumEpochRequestData.class, EndQuorumEpochResponseData.class);
    public static final KafkaApi<DescribeQuorumRequestData, DescribeQuorumResponseData> DESCRIBE_QUORUM =
            new KafkaApi<>(ApiKeys.DESCRIBE_QUORUM, DescribeQuorumRequestData.class, DescribeQuorumResponseData.class);
    public static final KafkaApi<AlterPartitionRequestData, AlterPartitionResponseData> ALTER_PARTITION =
            new KafkaApi<>(ApiKeys.ALTER_PARTITION, AlterPartitionRequestData.class, AlterPartitionResponseData.class);
    public static final KafkaApi<UpdateFeaturesRequestData, UpdateFeaturesResponseData> UPDATE_FEATURES =
            new KafkaApi<>(ApiKeys.UPDATE_FEATURES, UpdateFeaturesRequestData.class, UpdateFeaturesResponseData.class);
    public static final KafkaApi<EnvelopeRequestData, EnvelopeResponseData> ENVELOPE =
            new KafkaApi<>(ApiKeys.ENVELOPE, EnvelopeRequestData.class, EnvelopeResponseData.class);
    public static final KafkaApi<FetchSnapshotRequestData, FetchSnapshotResponseData> FETCH_SNAPSHOT =
            new KafkaApi<>(ApiKeys.FETCH_SNAPSHOT, FetchSnapshotRequestData.class, FetchSnapshotResponseData.class);
    public static final KafkaApi<DescribeClusterRequestData, DescribeClusterResponseData> DESCRIBE_CLUSTER =
            new KafkaApi<>(ApiKeys.DESCRIBE_CLUSTER, DescribeClusterRequestData.class, DescribeClusterResponseData.class);
    public static final KafkaApi<DescribeProducersRequestData, DescribeProducersResponseData> DESCRIBE_PRODUCERS =
            new KafkaApi<>(ApiKeys.DESCRIBE_PRODUCERS, DescribeProducersRequestData.class, DescribeProducersResponseData.class);
    public static final KafkaApi<BrokerRegistrationRequestData, BrokerRegistrationResponseData> BROKER_REGISTRATION =
            new KafkaApi<>(ApiKeys.BROKER_REGISTRATION, BrokerRegistrationRequestData.class, BrokerRegistrationResponseData.class);
    public static final KafkaApi<BrokerHeartbeatRequestData, BrokerHeartbeatResponseData> BROKER_HEARTBEAT =
            new KafkaApi<>(ApiKeys.BROKER_HEARTBEAT, BrokerHeartbeatRequestData.class, BrokerHeartbeatResponseData.class);
    public static final KafkaApi<UnregisterBrokerRequestData, UnregisterBrokerResponseData> UNREGISTER_BROKER =
            new KafkaApi<>(ApiKeys.UNREGISTER_BROKER, UnregisterBrokerRequestData.class, UnregisterBrokerResponseData.class);
    public static final KafkaApi<DescribeTransactionsRequestData, DescribeTransactionsResponseData> DESCRIBE_TRANSACTIONS =
            new KafkaApi<>(ApiKeys.DESCRIBE_TRANSACTIONS, DescribeTransactionsRequestData.class, DescribeTransactionsResponseData.class);
    public static final KafkaApi<ListTransactionsRequestData, ListTransactionsResponseData> LIST_TRANSACTIONS =
            new KafkaApi<>(ApiKeys.LIST_TRANSACTIONS, ListTransactionsRequestData.class, ListTransactionsResponseData.class);
    public static final KafkaApi<AllocateProducerIdsRequestData, AllocateProducerIdsResponseData> ALLOCATE_PRODUCER_IDS =
            new KafkaApi<>(ApiKeys.ALLOCATE_PRODUCER_IDS, AllocateProducerIdsRequestData.class, AllocateProducerIdsResponseData.class);
    public static final KafkaApi<ConsumerGroupHeartbeatRequestData, ConsumerGroupHeartbeatResponseData> CONSUMER_GROUP_HEARTBEAT =
            new KafkaApi<>(ApiKeys.CONSUMER_GROUP_HEARTBEAT, ConsumerGroupHeartbeatRequestData.class, ConsumerGroupHeartbeatResponseData.class);
    public static final KafkaApi<ConsumerGroupDescribeRequestData, ConsumerGroupDescribeResponseData> CONSUMER_GROUP_DESCRIBE =
            new KafkaApi<>(ApiKeys.CONSUMER_GROUP_DESCRIBE, ConsumerGroupDescribeRequestData.class, ConsumerGroupDescribeResponseData.class);
    public static final KafkaApi<ControllerRegistrationRequestData, ControllerRegistrationResponseData> CONTROLLER_REGISTRATION =
            new KafkaApi<>(ApiKeys.CONTROLLER_REGISTRATION, ControllerRegistrationRequestData.class, ControllerRegistrationResponseData.class);
    public static final KafkaApi<GetTelemetrySubscriptionsRequestData, GetTelemetrySubscriptionsResponseData> GET_TELEMETRY_SUBSCRIPTIONS =
            new KafkaApi<>(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS, GetTelemetrySubscriptionsRequestData.class, GetTelemetrySubscriptionsResponseData.class);
    public static final KafkaApi<PushTelemetryRequestData, PushTelemetryResponseData> PUSH_TELEMETRY =
            new KafkaApi<>(ApiKeys.PUSH_TELEMETRY, PushTelemetryRequestData.class, PushTelemetryResponseData.class);
    public static final KafkaApi<AssignReplicasToDirsRequestData, AssignReplicasToDirsResponseData> ASSIGN_REPLICAS_TO_DIRS =
            new KafkaApi<>(ApiKeys.ASSIGN_REPLICAS_TO_DIRS, AssignReplicasToDirsRequestData.class, AssignReplicasToDirsResponseData.class);
    public static final KafkaApi<ListConfigResourcesRequestData, ListConfigResourcesResponseData> LIST_CONFIG_RESOURCES =
            new KafkaApi<>(ApiKeys.LIST_CONFIG_RESOURCES, ListConfigResourcesRequestData.class, ListConfigResourcesResponseData.class);
    public static final KafkaApi<DescribeTopicPartitionsRequestData, DescribeTopicPartitionsResponseData> DESCRIBE_TOPIC_PARTITIONS =
            new KafkaApi<>(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, DescribeTopicPartitionsRequestData.class, DescribeTopicPartitionsResponseData.class);
    public static final KafkaApi<ShareGroupHeartbeatRequestData, ShareGroupHeartbeatResponseData> SHARE_GROUP_HEARTBEAT =
            new KafkaApi<>(ApiKeys.SHARE_GROUP_HEARTBEAT, ShareGroupHeartbeatRequestData.class, ShareGroupHeartbeatResponseData.class);
    public static final KafkaApi<ShareGroupDescribeRequestData, ShareGroupDescribeResponseData> SHARE_GROUP_DESCRIBE =
            new KafkaApi<>(ApiKeys.SHARE_GROUP_DESCRIBE, ShareGroupDescribeRequestData.class, ShareGroupDescribeResponseData.class);
    public static final KafkaApi<ShareFetchRequestData, ShareFetchResponseData> SHARE_FETCH =
            new KafkaApi<>(ApiKeys.SHARE_FETCH, ShareFetchRequestData.class, ShareFetchResponseData.class);
    public static final KafkaApi<ShareAcknowledgeRequestData, ShareAcknowledgeResponseData> SHARE_ACKNOWLEDGE =
            new KafkaApi<>(ApiKeys.SHARE_ACKNOWLEDGE, ShareAcknowledgeRequestData.class, ShareAcknowledgeResponseData.class);
    public static final KafkaApi<AddRaftVoterRequestData, AddRaftVoterResponseData> ADD_RAFT_VOTER =
            new KafkaApi<>(ApiKeys.ADD_RAFT_VOTER, AddRaftVoterRequestData.class, AddRaftVoterResponseData.class);
    public static final KafkaApi<RemoveRaftVoterRequestData, RemoveRaftVoterResponseData> REMOVE_RAFT_VOTER =
            new KafkaApi<>(ApiKeys.REMOVE_RAFT_VOTER, RemoveRaftVoterRequestData.class, RemoveRaftVoterResponseData.class);
    public static final KafkaApi<UpdateRaftVoterRequestData, UpdateRaftVoterResponseData> UPDATE_RAFT_VOTER =
            new KafkaApi<>(ApiKeys.UPDATE_RAFT_VOTER, UpdateRaftVoterRequestData.class, UpdateRaftVoterResponseData.class);
    public static final KafkaApi<InitializeShareGroupStateRequestData, InitializeShareGroupStateResponseData> INITIALIZE_SHARE_GROUP_STATE =
            new KafkaApi<>(ApiKeys.INITIALIZE_SHARE_GROUP_STATE, InitializeShareGroupStateRequestData.class, InitializeShareGroupStateResponseData.class);
    public static final KafkaApi<ReadShareGroupStateRequestData, ReadShareGroupStateResponseData> READ_SHARE_GROUP_STATE =
            new KafkaApi<>(ApiKeys.READ_SHARE_GROUP_STATE, ReadShareGroupStateRequestData.class, ReadShareGroupStateResponseData.class);
    public static final KafkaApi<WriteShareGroupStateRequestData, WriteShareGroupStateResponseData> WRITE_SHARE_GROUP_STATE =
            new KafkaApi<>(ApiKeys.WRITE_SHARE_GROUP_STATE, WriteShareGroupStateRequestData.class, WriteShareGroupStateResponseData.class);
    public static final KafkaApi<DeleteShareGroupStateRequestData, DeleteShareGroupStateResponseData> DELETE_SHARE_GROUP_STATE =
            new KafkaApi<>(ApiKeys.DELETE_SHARE_GROUP_STATE, DeleteShareGroupStateRequestData.class, DeleteShareGroupStateResponseData.class);
    public static final KafkaApi<ReadShareGroupStateSummaryRequestData, ReadShareGroupStateSummaryResponseData> READ_SHARE_GROUP_STATE_SUMMARY =
            new KafkaApi<>(ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY, ReadShareGroupStateSummaryRequestData.class, ReadShareGroupStateSummaryResponseData.class);
    public static final KafkaApi<StreamsGroupHeartbeatRequestData, StreamsGroupHeartbeatResponseData> STREAMS_GROUP_HEARTBEAT =
            new KafkaApi<>(ApiKeys.STREAMS_GROUP_HEARTBEAT, StreamsGroupHeartbeatRequestData.class, StreamsGroupHeartbeatResponseData.class);
    public static final KafkaApi<StreamsGroupDescribeRequestData, StreamsGroupDescribeResponseData> STREAMS_GROUP_DESCRIBE =
            new KafkaApi<>(ApiKeys.STREAMS_GROUP_DESCRIBE, StreamsGroupDescribeRequestData.class, StreamsGroupDescribeResponseData.class);
    public static final KafkaApi<DescribeShareGroupOffsetsRequestData, DescribeShareGroupOffsetsResponseData> DESCRIBE_SHARE_GROUP_OFFSETS =
            new KafkaApi<>(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, DescribeShareGroupOffsetsRequestData.class, DescribeShareGroupOffsetsResponseData.class);
    public static final KafkaApi<AlterShareGroupOffsetsRequestData, AlterShareGroupOffsetsResponseData> ALTER_SHARE_GROUP_OFFSETS =
            new KafkaApi<>(ApiKeys.ALTER_SHARE_GROUP_OFFSETS, AlterShareGroupOffsetsRequestData.class, AlterShareGroupOffsetsResponseData.class);
    public static final KafkaApi<DeleteShareGroupOffsetsRequestData, DeleteShareGroupOffsetsResponseData> DELETE_SHARE_GROUP_OFFSETS =
            new KafkaApi<>(ApiKeys.DELETE_SHARE_GROUP_OFFSETS, DeleteShareGroupOffsetsRequestData.class, DeleteShareGroupOffsetsResponseData.class);

    private final ApiKeys key;
    private final Class<Q> requestType;
    private final Class<R> responseType;

    private KafkaApi(ApiKeys key, Class<Q> requestType, Class<R> responseType) {
        this.key = Objects.requireNonNull(key);
        this.requestType = requestType;
        this.responseType = responseType;
        ALL.add(this);
    }

    /** Every API this class has a constant for, in the order they are declared. */
    public static List<KafkaApi<?, ?>> values() {
        return Collections.unmodifiableList(ALL);
    }

    /** The API's key. */
    public ApiKeys key() {
        return key;
    }

    /** The class of the API's request body. */
    public Class<Q> requestType() {
        return requestType;
    }

    /** The class of the API's response body. */
    public Class<R> responseType() {
        return responseType;
    }

    @Override
    public String toString() {
        return key.name;
    }
}
